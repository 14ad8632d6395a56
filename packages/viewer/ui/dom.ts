// DOM helpers, formatting and service colours shared by every view.
//
// Everything the API returns is user data (span names, attribute values, service names sent by
// any process that can reach the receivers), so it reaches the page only as text nodes and
// attribute values, never as markup: there is no innerHTML in the UI.
import type { AttributeValue } from './api.js';

export type Child = Node | string | number | null | undefined | false;

/**
 * Creates an element. `attrs` are set with setAttribute (`class` included) and children are
 * appended as nodes or text nodes, so API data can never become markup.
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Readonly<Record<string, string | number | boolean | undefined>> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

export function append(parent: Node, children: ReadonlyArray<Child>): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
}

export function root(): HTMLElement {
  const element = document.getElementById('app');
  if (element === null) throw new Error('index.html has no #app element');
  return element;
}

// ---------------------------------------------------------------------------------------------
// Formatting

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  const abs = Math.abs(ms);
  if (abs === 0) return '0 ms';
  if (abs < 1) return `${Math.round(ms * 1000)} µs`;
  if (abs < 10) return `${ms.toFixed(2)} ms`;
  if (abs < 1000) return `${ms.toFixed(1)} ms`;
  if (abs < 60_000) return `${(ms / 1000).toFixed(2)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms - minutes * 60_000) / 1000)} s`;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** Local time with milliseconds; the date too unless it is today. */
export function formatTime(epochMs: number): string {
  const date = new Date(epochMs);
  if (Number.isNaN(date.getTime())) return '–';
  const time = `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
  const today = new Date();
  const sameDay = date.getFullYear() === today.getFullYear() && date.getMonth() === today.getMonth() && date.getDate() === today.getDate();
  return sameDay ? time : `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${time}`;
}

export function isoTime(epochMs: number): string {
  const date = new Date(epochMs);
  return Number.isNaN(date.getTime()) ? '' : date.toISOString();
}

export function formatValue(value: AttributeValue | null | undefined): string {
  if (Array.isArray(value)) return `[${value.map((item) => (typeof item === 'string' ? JSON.stringify(item) : String(item))).join(', ')}]`;
  return String(value);
}

// ---------------------------------------------------------------------------------------------
// Service colours: a fixed palette (no reds: red means error), picked by a hash of the name so a
// service keeps its colour across traces and page loads.

const PALETTE = [
  '#4e79a7', '#f28e2b', '#59a14f', '#b07aa1', '#76b7b2', '#edc948',
  '#9c755f', '#ff9da7', '#7b6fd0', '#3fa7d6', '#a3b83a', '#6b7b8c',
] as const;

export function serviceColor(service: string): string {
  // FNV-1a, 32 bits.
  let hash = 0x811c9dc5;
  for (let i = 0; i < service.length; i++) {
    hash ^= service.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return PALETTE[(hash >>> 0) % PALETTE.length] ?? PALETTE[0];
}

export function serviceChip(service: string): HTMLElement {
  const chip = h('span', { class: 'service-chip' }, h('span', { class: 'swatch', 'aria-hidden': 'true' }), service);
  chip.style.setProperty('--service-color', serviceColor(service));
  return chip;
}

export function errorMark(): HTMLElement {
  return h('span', { class: 'error-mark', title: 'error', 'aria-label': 'error' }, '⚠');
}

// ---------------------------------------------------------------------------------------------
// Routing: `#/` (with the filters as a query, `#/?service=auth&errors=true`) and
// `#/traces/<traceId>`. Each render bumps `generation`; answers for an older view are dropped.

const SVG_NS = 'http://www.w3.org/2000/svg';

/** Creates an SVG element with attributes and, optionally, text (as a text node). */
export function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Readonly<Record<string, string | number>>, text?: string): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) element.setAttribute(name, String(value));
  if (text !== undefined) element.textContent = text;
  return element;
}
