// The details panel of a span in the trace view.
import type { AttributeValue, Span, SpanTiming } from './api.js';
import { errorMark, formatDuration, formatValue, h, isoTime, serviceChip, serviceColor, type Child } from './dom.js';
import type { ResolvedLink } from './links.js';
import type { Row } from './trace-tree.js';

/** A label and its value in a definition list. */
export function fact(label: string, value: Child, wide = false): HTMLElement {
  return h('div', { class: wide ? 'fact fact-wide' : 'fact' }, h('dt', {}, label), h('dd', {}, value));
}

/** The span's duration as recorded. */
export function spanDuration(span: Span): number {
  return typeof span.durationMs === 'number' && Number.isFinite(span.durationMs) ? span.durationMs : span.endTime - span.startTime;
}

/** What the details panel shows beside the span itself. */
export interface DetailContext {
  readonly traceStart: number;
  readonly byId: ReadonlyMap<string, Span>;
  readonly timing: SpanTiming | undefined;
  readonly links: ReadonlyArray<ResolvedLink>;
  readonly close: () => void;
}

/** The panel of one span: facts, its share of the critical path, links out, attributes, events. */
export function renderDetails({ span, orphan }: Row, { traceStart, byId, timing, links, close }: DetailContext): HTMLElement {
  const status = span.status ?? { code: 'UNSET' };
  const parent = span.parentSpanId === null
    ? h('span', { class: 'muted' }, 'none (root span)')
    : h('span', {}, h('code', {}, span.parentSpanId), orphan ? h('span', { class: 'muted' }, ' (not received)') : ` (${byId.get(span.parentSpanId)?.name ?? ''})`);
  const attributes = Object.entries(span.attributes ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const events = [...(span.events ?? [])].sort((a, b) => a.time - b.time);
  const closeButton = h('button', { type: 'button', class: 'close', title: 'Close', 'aria-label': 'Close details' }, '×');
  closeButton.addEventListener('click', (event) => {
    event.stopPropagation();
    close();
  });

  const details = h('section', { class: `span-details${status.code === 'ERROR' ? ' is-error' : ''}`, 'data-testid': 'span-details', 'aria-label': `Details of ${span.name}` },
    h('header', { class: 'details-head' },
      h('h2', {}, span.name || '(unnamed)'),
      closeButton,
    ),
    h('dl', { class: 'details-grid' },
      fact('Service', serviceChip(span.service)),
      fact('Kind', span.kind),
      fact('Span ID', h('code', {}, span.spanId)),
      fact('Parent ID', parent),
      fact('Start', `+${formatDuration(span.startTime - traceStart)}`),
      fact('Duration', formatDuration(spanDuration(span))),
      timing === undefined ? null : fact('Self time', h('span', { 'data-testid': 'self-time' }, formatDuration(timing.selfMs))),
      timing === undefined ? null : fact('On critical path', h('span', { 'data-testid': 'critical-time' }, formatDuration(timing.criticalMs))),
      timing !== undefined && timing.shiftMs !== 0 ? fact('Clock skew', `shifted ${timing.shiftMs > 0 ? '+' : ''}${formatDuration(timing.shiftMs)} to sit inside its parent`) : null,
      fact('Status', h('span', { class: `status status-${status.code.toLowerCase()}` },
        status.code === 'ERROR' ? errorMark() : null,
        status.code === 'ERROR' ? ' ' : null,
        status.code,
        status.message ? h('span', { class: 'status-message' }, `: ${status.message}`) : null), true),
    ),
    links.length === 0 ? null : h('p', { class: 'links' }, ...links.map((link) => h('a', { href: link.url, target: '_blank', rel: 'noopener noreferrer', class: 'button button-quiet', 'data-testid': 'span-link' }, `${link.name} ↗`))),
    h('h3', {}, 'Attributes', h('span', { class: 'count' }, attributes.length)),
    attributes.length === 0 ? h('p', { class: 'muted' }, 'No attributes.') : kvTable(attributes),
    h('h3', {}, 'Events', h('span', { class: 'count' }, events.length)),
    events.length === 0 ? h('p', { class: 'muted' }, 'No events.') : h('ol', { class: 'events' }, ...events.map((event) => {
      const eventAttributes = Object.entries(event.attributes ?? {});
      return h('li', { class: `event${event.name === 'exception' ? ' is-error' : ''}`, 'data-testid': 'span-event' },
        h('div', { class: 'event-head' },
          h('span', { class: 'event-time', title: isoTime(event.time) }, `+${formatDuration(event.time - traceStart)}`),
          h('span', { class: 'event-name' }, event.name),
        ),
        eventAttributes.length === 0 ? null : kvTable(eventAttributes),
      );
    })),
  );
  // Clicks inside the panel (selecting text, the close button) do not reach the row.
  details.addEventListener('click', (event) => event.stopPropagation());
  details.style.setProperty('--service-color', serviceColor(span.service));
  return details;
}

function kvTable(entries: ReadonlyArray<[string, AttributeValue]>): HTMLTableElement {
  return h('table', { class: 'kv' }, h('tbody', {}, ...entries.map(([key, value]) =>
    h('tr', {}, h('th', { scope: 'row' }, key), h('td', { class: `value value-${Array.isArray(value) ? 'array' : typeof value}` }, formatValue(value))))));
}

