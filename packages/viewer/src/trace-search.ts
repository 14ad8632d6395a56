// The search of the trace list, the latency view and the service map: what `GET /api/traces`
// (and /api/latency, /api/dependencies) accept in the query string, checked once and applied
// per trace. Jaeger's search has the same fields (service, operation, tags, durations, lookback,
// limit); attributes are `attr=key=value`, repeatable, all of which must hold.
import { BadRequest, type StoredSpan, type StoredValue } from './stored-span';
import type { TraceSummary } from './api-types';

/** A parsed search. Every field is optional; an empty search matches every trace. */
export interface TraceSearch {
  service?: string;
  /** Exact span name (of a span in `service`, when given). */
  operation?: string;
  /** Case-insensitive substring of any span's name. */
  name?: string;
  /** `key=value` pairs that must each hold for some span (a value compares as text; an array matches any element). */
  attributes?: ReadonlyArray<readonly [string, string]>;
  minDurationMs?: number;
  maxDurationMs?: number;
  /** Traces that started at or after this (epoch ms). */
  startAfter?: number;
  /** Traces that started at or before this (epoch ms). */
  startBefore?: number;
  errorsOnly?: boolean;
}

/** A page of results: `limit` from `offset`. */
export interface PageRequest {
  offset: number;
  limit: number;
}

const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const MAX_ATTRIBUTES = 16;
const MAX_TEXT = 1024;

function text(params: URLSearchParams, key: string): string | undefined {
  const value = params.get(key);
  if (value === null || value === '') return undefined;
  if (value.length > MAX_TEXT) throw new BadRequest(`${key}: at most ${MAX_TEXT} characters`);
  return value;
}

function number(params: URLSearchParams, key: string, what: string): number | undefined {
  const value = params.get(key);
  if (value === null || value === '') return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new BadRequest(`${key}: expected ${what}, got ${JSON.stringify(value.slice(0, 40))}`);
  return n;
}

/** `15m`, `1h`, `2d`, `30s`, `500ms`, or a number of milliseconds. */
export function parseLookback(value: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(value.trim());
  if (match === null) throw new BadRequest(`lookback: expected a duration such as 15m, 1h or 2d, got ${JSON.stringify(value.slice(0, 40))}`);
  return Number(match[1]) * UNITS[match[2] ?? 'ms']!;
}

/** Reads a search from a query string; a malformed field is a BadRequest naming it. */
export function parseTraceSearch(params: URLSearchParams, now: number = Date.now()): TraceSearch {
  const search: TraceSearch = {};
  const service = text(params, 'service');
  if (service !== undefined) search.service = service;
  const operation = text(params, 'operation');
  if (operation !== undefined) search.operation = operation;
  const name = text(params, 'name');
  if (name !== undefined) search.name = name.toLowerCase();
  const pairs = params.getAll('attr').filter((pair) => pair !== '');
  if (pairs.length > MAX_ATTRIBUTES) throw new BadRequest(`attr: at most ${MAX_ATTRIBUTES}`);
  if (pairs.length > 0) {
    search.attributes = pairs.map((pair) => {
      const at = pair.indexOf('=');
      if (at <= 0 || pair.length > MAX_TEXT) throw new BadRequest(`attr: expected key=value, got ${JSON.stringify(pair.slice(0, 40))}`);
      return [pair.slice(0, at).trim(), pair.slice(at + 1).trim()] as const;
    });
  }
  const min = number(params, 'minDurationMs', 'milliseconds');
  if (min !== undefined) search.minDurationMs = min;
  const max = number(params, 'maxDurationMs', 'milliseconds');
  if (max !== undefined) search.maxDurationMs = max;
  const start = number(params, 'start', 'epoch milliseconds');
  const end = number(params, 'end', 'epoch milliseconds');
  const lookback = text(params, 'lookback');
  if (lookback !== undefined) search.startAfter = (end ?? now) - parseLookback(lookback);
  if (start !== undefined) search.startAfter = Math.max(start, search.startAfter ?? 0);
  if (end !== undefined) search.startBefore = end;
  if (params.get('errors') === 'true') search.errorsOnly = true;
  return search;
}

/** Reads `offset` and `limit` (default `defaultLimit`, at most `maxLimit`). */
export function parsePage(params: URLSearchParams, defaultLimit: number, maxLimit: number): PageRequest {
  const offset = number(params, 'offset', 'a non-negative integer') ?? 0;
  const limit = number(params, 'limit', 'a positive integer') ?? defaultLimit;
  return { offset: Math.floor(offset), limit: Math.min(maxLimit, Math.max(1, Math.floor(limit))) };
}

/** False when the summary alone rules the trace out, before any span is looked at. */
function summaryMatches(search: TraceSearch, summary: TraceSummary): boolean {
  if (search.service !== undefined && !summary.services.includes(search.service)) return false;
  if (search.minDurationMs !== undefined && summary.durationMs < search.minDurationMs) return false;
  if (search.maxDurationMs !== undefined && summary.durationMs > search.maxDurationMs) return false;
  if (search.startAfter !== undefined && summary.startTime < search.startAfter) return false;
  if (search.startBefore !== undefined && summary.startTime > search.startBefore) return false;
  if (search.errorsOnly === true && !summary.error) return false;
  return true;
}

function valueMatches(value: StoredValue | undefined, expected: string): boolean {
  if (value === undefined) return false;
  if (Array.isArray(value)) return value.some((v) => valueMatches(v, expected));
  return String(value) === expected;
}

/** True when the trace matches: its summary first, then one pass over its spans for names and attributes. */
export function traceMatches(search: TraceSearch, summary: TraceSummary, spans: Iterable<StoredSpan>): boolean {
  if (!summaryMatches(search, summary)) return false;
  const { operation, name, attributes } = search;
  if (operation === undefined && name === undefined && attributes === undefined) return true;
  let operationFound = operation === undefined;
  let nameFound = name === undefined;
  const pending = attributes === undefined ? [] : [...attributes];
  for (const span of spans) {
    if (!operationFound && span.name === operation && (search.service === undefined || span.service === search.service)) operationFound = true;
    if (!nameFound && span.name.toLowerCase().includes(name!)) nameFound = true;
    for (let i = pending.length - 1; i >= 0; i--) if (valueMatches(span.attributes[pending[i]![0]], pending[i]![1])) pending.splice(i, 1);
    if (operationFound && nameFound && pending.length === 0) return true;
  }
  return false;
}
