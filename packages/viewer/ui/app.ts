// The viewer's web UI: a trace list (`#/`) and a waterfall per trace (`#/traces/<id>`), in plain
// TypeScript and the DOM. Served by the viewer's HTTP server, which also answers the JSON API
// below; it loads nothing else, so it works offline.
//
// Everything the API returns is user data (span names, attribute values, service names sent by
// any process that can reach the receivers), so it reaches the page only as text nodes and
// attribute values, never as markup: there is no innerHTML in this file.

// ---------------------------------------------------------------------------------------------
// API types (the contract of GET /api/services, /api/traces and /api/traces/:traceId)

type Scalar = string | number | boolean;
type AttributeValue = Scalar | ReadonlyArray<Scalar | null>;
type Attributes = Readonly<Record<string, AttributeValue>>;

interface TraceSummary {
  readonly traceId: string;
  readonly rootName: string;
  readonly rootService: string;
  readonly startTime: number;
  readonly durationMs: number;
  readonly spanCount: number;
  readonly services: ReadonlyArray<string>;
  readonly error: boolean;
}

interface SpanEvent {
  readonly name: string;
  readonly time: number;
  readonly attributes?: Attributes;
}

interface Span {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | null;
  readonly name: string;
  readonly kind: string;
  readonly service: string;
  readonly startTime: number;
  readonly endTime: number;
  readonly durationMs: number;
  readonly attributes?: Attributes;
  readonly events?: ReadonlyArray<SpanEvent>;
  readonly status?: { readonly code: string; readonly message?: string };
}

interface TraceDetail {
  readonly traceId: string;
  readonly spans: ReadonlyArray<Span>;
}

/** How many traces the list asks for; the API returns the newest first. */
const LIST_LIMIT = 100;
/** Typing in the name filter reloads the list this long after the last key. */
const NAME_DEBOUNCE_MS = 300;

class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

async function getJson<T>(path: string): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, { headers: { accept: 'application/json' } });
  } catch {
    throw new ApiError(0, 'the viewer is not reachable (is it still running?)');
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const message = isRecord(body) && typeof body['error'] === 'string' ? body['error'] : `HTTP ${response.status}`;
    throw new ApiError(response.status, message);
  }
  if (body === undefined) throw new ApiError(response.status, 'the response was not JSON');
  return body as T;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

// ---------------------------------------------------------------------------------------------
// DOM helpers

type Child = Node | string | number | null | undefined | false;

/**
 * Creates an element. `attrs` are set with setAttribute (`class` included) and children are
 * appended as nodes or text nodes, so API data can never become markup.
 */
function h<K extends keyof HTMLElementTagNameMap>(
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

function append(parent: Node, children: ReadonlyArray<Child>): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
}

function root(): HTMLElement {
  const element = document.getElementById('app');
  if (element === null) throw new Error('index.html has no #app element');
  return element;
}

// ---------------------------------------------------------------------------------------------
// Formatting

function formatDuration(ms: number): string {
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
function formatTime(epochMs: number): string {
  const date = new Date(epochMs);
  if (Number.isNaN(date.getTime())) return '–';
  const time = `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
  const today = new Date();
  const sameDay = date.getFullYear() === today.getFullYear() && date.getMonth() === today.getMonth() && date.getDate() === today.getDate();
  return sameDay ? time : `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${time}`;
}

function isoTime(epochMs: number): string {
  const date = new Date(epochMs);
  return Number.isNaN(date.getTime()) ? '' : date.toISOString();
}

function formatValue(value: AttributeValue | null | undefined): string {
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

function serviceColor(service: string): string {
  // FNV-1a, 32 bits.
  let hash = 0x811c9dc5;
  for (let i = 0; i < service.length; i++) {
    hash ^= service.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return PALETTE[(hash >>> 0) % PALETTE.length] ?? PALETTE[0];
}

function serviceChip(service: string): HTMLElement {
  const chip = h('span', { class: 'service-chip' }, h('span', { class: 'swatch', 'aria-hidden': 'true' }), service);
  chip.style.setProperty('--service-color', serviceColor(service));
  return chip;
}

function errorMark(): HTMLElement {
  return h('span', { class: 'error-mark', title: 'error', 'aria-label': 'error' }, '⚠');
}

// ---------------------------------------------------------------------------------------------
// Routing: `#/` (with the filters as a query, `#/?service=auth&errors=true`) and
// `#/traces/<traceId>`. Each render bumps `generation`; answers for an older view are dropped.

let generation = 0;

function route(): void {
  generation++;
  const hash = location.hash.replace(/^#/, '') || '/';
  const queryAt = hash.indexOf('?');
  const path = queryAt === -1 ? hash : hash.slice(0, queryAt);
  const query = new URLSearchParams(queryAt === -1 ? '' : hash.slice(queryAt + 1));
  const trace = /^\/traces\/([^/]+)\/?$/.exec(path);
  if (trace?.[1] !== undefined) {
    let traceId = trace[1];
    try {
      traceId = decodeURIComponent(traceId);
    } catch {
      // A malformed escape: look the id up as written, the API answers 404.
    }
    void showTrace(traceId, generation);
  } else {
    showList(query, generation);
  }
  window.scrollTo(0, 0);
}

// ---------------------------------------------------------------------------------------------
// Trace list

interface Filters {
  service: string;
  name: string;
  minDurationMs: string;
  errors: boolean;
}

function filtersFrom(query: URLSearchParams): Filters {
  return {
    service: query.get('service') ?? '',
    name: query.get('name') ?? '',
    minDurationMs: query.get('minDurationMs') ?? '',
    errors: query.get('errors') === 'true',
  };
}

function filterQuery(filters: Filters): URLSearchParams {
  const query = new URLSearchParams();
  if (filters.service !== '') query.set('service', filters.service);
  if (filters.name.trim() !== '') query.set('name', filters.name.trim());
  const min = Number(filters.minDurationMs);
  if (filters.minDurationMs.trim() !== '' && Number.isFinite(min) && min > 0) query.set('minDurationMs', String(min));
  if (filters.errors) query.set('errors', 'true');
  return query;
}

function showList(query: URLSearchParams, view: number): void {
  document.title = 'Traces · Tracewell';
  const filters = filtersFrom(query);

  const serviceSelect = h('select', { name: 'service', 'aria-label': 'Service' }, h('option', { value: '' }, 'All services'));
  if (filters.service !== '') serviceSelect.append(h('option', { value: filters.service }, filters.service));
  serviceSelect.value = filters.service;
  const nameInput = h('input', { type: 'search', name: 'name', placeholder: 'Span name', 'aria-label': 'Root span name', autocomplete: 'off', spellcheck: 'false' });
  nameInput.value = filters.name;
  const minInput = h('input', { type: 'number', name: 'minDurationMs', min: 0, step: 'any', placeholder: '0', 'aria-label': 'Minimum duration in milliseconds' });
  minInput.value = filters.minDurationMs;
  const errorsInput = h('input', { type: 'checkbox', name: 'errors' });
  errorsInput.checked = filters.errors;
  const refreshButton = h('button', { type: 'submit', class: 'button', title: 'Reload the list' }, '↻ Refresh');
  const form = h('form', { class: 'filters', role: 'search' },
    h('label', { class: 'field' }, h('span', { class: 'field-label' }, 'Service'), serviceSelect),
    h('label', { class: 'field field-grow' }, h('span', { class: 'field-label' }, 'Name'), nameInput),
    h('label', { class: 'field field-narrow' }, h('span', { class: 'field-label' }, 'Min duration'), h('span', { class: 'with-unit' }, minInput, h('span', { class: 'unit' }, 'ms'))),
    h('label', { class: 'check' }, errorsInput, ' Errors only'),
    refreshButton,
  );

  const summary = h('p', { class: 'list-summary', 'aria-live': 'polite' });
  const banner = h('div', { class: 'banner banner-error', role: 'alert', hidden: true });
  const tbody = h('tbody');
  const table = h('table', { class: 'trace-table' },
    h('thead', {}, h('tr', {},
      h('th', { class: 'col-time' }, 'Time'),
      h('th', {}, 'Root span'),
      h('th', {}, 'Service'),
      h('th', { class: 'col-duration' }, 'Duration'),
      h('th', { class: 'col-num' }, 'Spans'),
      h('th', {}, 'Services'),
      h('th', { class: 'col-error' }, h('span', { class: 'visually-hidden' }, 'Error')),
    )),
    tbody,
  );

  const page = root();
  page.replaceChildren(h('section', { class: 'list-page' },
    h('div', { class: 'toolbar' }, form),
    banner,
    summary,
    h('div', { class: 'table-wrap' }, table),
  ));

  let request = 0;
  const load = async (): Promise<void> => {
    const current = ++request;
    const active = filterQuery(filters);
    const apiQuery = new URLSearchParams(active);
    apiQuery.set('limit', String(LIST_LIMIT));
    page.classList.add('is-loading');
    try {
      const { traces } = await getJson<{ traces: TraceSummary[] }>(`/api/traces?${apiQuery.toString()}`);
      if (view !== generation || current !== request) return;
      banner.hidden = true;
      renderTraceRows(tbody, traces);
      const filtered = [...active.keys()].length > 0;
      summary.textContent = traces.length === 0
        ? (filtered ? 'No traces match these filters.' : 'No traces yet: they appear here as the viewer receives spans.')
        : `${traces.length === LIST_LIMIT ? `Newest ${LIST_LIMIT}` : traces.length} trace${traces.length === 1 ? '' : 's'}${filtered ? ' matching the filters' : ''}`;
    } catch (error: unknown) {
      if (view !== generation || current !== request) return;
      banner.textContent = `Could not load traces: ${error instanceof Error ? error.message : String(error)}`;
      banner.hidden = false;
    } finally {
      if (current === request) page.classList.remove('is-loading');
    }
  };

  const loadServices = async (): Promise<void> => {
    try {
      const { services } = await getJson<{ services: string[] }>('/api/services');
      if (view !== generation) return;
      const names = new Set(services);
      if (filters.service !== '') names.add(filters.service);
      serviceSelect.replaceChildren(h('option', { value: '' }, 'All services'), ...[...names].sort().map((name) => h('option', { value: name }, name)));
      serviceSelect.value = filters.service;
    } catch {
      // The trace list reports the failure; the select keeps "All services".
    }
  };

  // Filters live in the URL so Back from a trace returns to the same list; replaceState does
  // not fire hashchange, so this view stays and only the table reloads.
  const apply = (): void => {
    filters.service = serviceSelect.value;
    filters.name = nameInput.value;
    filters.minDurationMs = minInput.value;
    filters.errors = errorsInput.checked;
    const query = filterQuery(filters).toString();
    history.replaceState(null, '', `#/${query === '' ? '' : `?${query}`}`);
    void load();
  };
  let nameTimer: ReturnType<typeof setTimeout> | undefined;
  const applyNow = (): void => {
    clearTimeout(nameTimer);
    apply();
  };
  serviceSelect.addEventListener('change', applyNow);
  errorsInput.addEventListener('change', applyNow);
  minInput.addEventListener('change', applyNow);
  nameInput.addEventListener('input', () => {
    clearTimeout(nameTimer);
    nameTimer = setTimeout(apply, NAME_DEBOUNCE_MS);
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    applyNow();
    void loadServices();
  });

  void loadServices();
  void load();
}

function renderTraceRows(tbody: HTMLTableSectionElement, traces: ReadonlyArray<TraceSummary>): void {
  const longest = Math.max(0, ...traces.map((trace) => trace.durationMs).filter(Number.isFinite));
  tbody.replaceChildren(...traces.map((trace) => {
    const href = `#/traces/${encodeURIComponent(trace.traceId)}`;
    const durationBar = h('span', { class: 'duration-bar' });
    durationBar.style.width = `${longest > 0 ? Math.max(1, (trace.durationMs / longest) * 100) : 0}%`;
    const row = h('tr', { 'data-testid': 'trace-row', 'data-trace-id': trace.traceId, class: trace.error ? 'is-error' : undefined, tabindex: 0 },
      h('td', { class: 'col-time', title: isoTime(trace.startTime) }, formatTime(trace.startTime)),
      h('td', { class: 'col-name' }, h('a', { href }, trace.rootName || '(unnamed)'), h('span', { class: 'trace-id' }, trace.traceId.slice(0, 8))),
      h('td', {}, serviceChip(trace.rootService)),
      h('td', { class: 'col-duration' }, h('span', { class: 'duration-cell' }, h('span', { class: 'duration-text' }, formatDuration(trace.durationMs)), h('span', { class: 'duration-track', 'aria-hidden': 'true' }, durationBar))),
      h('td', { class: 'col-num' }, trace.spanCount),
      h('td', { class: 'col-services' }, ...trace.services.map(serviceChip)),
      h('td', { class: 'col-error' }, trace.error ? h('span', { class: 'error-label' }, errorMark(), ' error') : null),
    );
    const open = (): void => {
      location.hash = href;
    };
    row.addEventListener('click', (event) => {
      // Let the link handle its own clicks (and modified clicks open a new tab).
      if (!(event.target instanceof Element && event.target.closest('a') !== null)) open();
    });
    row.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') open();
    });
    return row;
  }));
}

// ---------------------------------------------------------------------------------------------
// Trace page

interface Row {
  readonly span: Span;
  readonly depth: number;
  /** The span names a parent that is not in the trace (late, or never arrived). */
  readonly orphan: boolean;
}

const byStart = (a: Span, b: Span): number =>
  a.startTime - b.startTime || b.endTime - a.endTime || (a.spanId < b.spanId ? -1 : a.spanId > b.spanId ? 1 : 0);

/**
 * The spans in depth-first order, children sorted by start time. Spans whose parent is missing
 * are extra roots; spans caught in a parent cycle (malformed input) are shown as roots too, so
 * every span appears exactly once.
 */
function layoutTree(spans: ReadonlyArray<Span>): Row[] {
  const byId = new Map<string, Span>();
  for (const span of spans) if (!byId.has(span.spanId)) byId.set(span.spanId, span);
  const children = new Map<string, Span[]>();
  const roots: Span[] = [];
  for (const span of byId.values()) {
    const parent = span.parentSpanId;
    if (parent !== null && parent !== span.spanId && byId.has(parent)) {
      const list = children.get(parent);
      if (list === undefined) children.set(parent, [span]);
      else list.push(span);
    } else {
      roots.push(span);
    }
  }
  for (const list of children.values()) list.sort(byStart);
  roots.sort(byStart);

  const rows: Row[] = [];
  const seen = new Set<string>();
  const walk = (start: Span): void => {
    // An explicit stack: traces can be deep enough to matter for recursion.
    const stack: Array<{ span: Span; depth: number }> = [{ span: start, depth: 0 }];
    while (stack.length > 0) {
      const { span, depth } = stack.pop()!;
      if (seen.has(span.spanId)) continue;
      seen.add(span.spanId);
      rows.push({ span, depth, orphan: depth === 0 && span.parentSpanId !== null });
      const kids = children.get(span.spanId) ?? [];
      for (let i = kids.length - 1; i >= 0; i--) stack.push({ span: kids[i]!, depth: depth + 1 });
    }
  };
  for (const span of roots) walk(span);
  for (const span of [...byId.values()].sort(byStart)) if (!seen.has(span.spanId)) walk(span);
  return rows;
}

function spanDuration(span: Span): number {
  return typeof span.durationMs === 'number' && Number.isFinite(span.durationMs) ? span.durationMs : span.endTime - span.startTime;
}

function isError(span: Span): boolean {
  return span.status?.code === 'ERROR';
}

async function showTrace(traceId: string, view: number): Promise<void> {
  document.title = `Trace ${traceId} · Tracewell`;
  const page = root();
  const back = h('nav', { class: 'crumbs' }, h('a', { href: '#/', class: 'back' }, '← Traces'));
  page.replaceChildren(back, h('p', { class: 'loading' }, 'Loading trace…'));
  let trace: TraceDetail;
  try {
    trace = await getJson<TraceDetail>(`/api/traces/${encodeURIComponent(traceId)}`);
  } catch (error: unknown) {
    if (view !== generation) return;
    const notFound = error instanceof ApiError && error.status === 404;
    page.replaceChildren(back, h('div', { class: 'banner banner-error', role: 'alert' },
      notFound ? `Trace ${traceId} not found.` : `Could not load trace ${traceId}: ${error instanceof Error ? error.message : String(error)}`));
    return;
  }
  if (view !== generation) return;
  const spans = Array.isArray(trace.spans) ? trace.spans : [];
  if (spans.length === 0) {
    page.replaceChildren(back, h('div', { class: 'banner' }, `Trace ${traceId} has no spans.`));
    return;
  }

  const rows = layoutTree(spans);
  const traceStart = Math.min(...spans.map((span) => span.startTime));
  const traceEnd = Math.max(...spans.map((span) => span.endTime));
  const duration = traceEnd - traceStart;
  const scale = duration > 0 ? duration : 1;
  const main = rows.find((row) => row.span.parentSpanId === null) ?? rows[0]!;
  const services = [...new Set(rows.map((row) => row.span.service))];
  const errors = spans.filter(isError).length;
  const orphans = rows.filter((row) => row.orphan).length;
  document.title = `${main.span.name} · Tracewell`;

  const header = h('header', { class: 'trace-header' },
    h('h1', {}, h('span', { class: 'trace-title' }, main.span.name || '(unnamed)'), errors > 0 ? errorMark() : null),
    h('dl', { class: 'facts' },
      fact('Trace ID', h('code', { class: 'trace-id-full' }, trace.traceId || traceId)),
      fact('Started', h('span', { title: isoTime(traceStart) }, formatTime(traceStart))),
      fact('Duration', formatDuration(duration)),
      fact('Spans', String(spans.length)),
      errors > 0 ? fact('Errors', h('span', { class: 'error-text' }, String(errors))) : null,
      fact('Services', h('span', { class: 'chips' }, ...services.map(serviceChip))),
    ),
  );
  const note = orphans > 0
    ? h('p', { class: 'note' }, `${orphans} span${orphans === 1 ? ' has a parent that has' : 's have parents that have'} not arrived; shown at the top level.`)
    : null;

  const waterfall = h('div', { class: 'waterfall', role: 'list', 'aria-label': 'Spans' },
    h('div', { class: 'wf-head', 'aria-hidden': 'true' },
      h('div', { class: 'wf-name' }, 'Service · operation'),
      h('div', { class: 'wf-timeline' }, ...[0, 0.25, 0.5, 0.75, 1].map((at) => {
        const tick = h('span', { class: 'tick' }, formatDuration(duration * at));
        tick.style.left = `${at * 100}%`;
        return tick;
      })),
    ),
  );

  const byId = new Map(spans.map((span) => [span.spanId, span] as const));
  let open: { row: HTMLElement; details: HTMLElement } | undefined;
  const toggle = (element: HTMLElement, row: Row): void => {
    const same = open?.row === element;
    if (open !== undefined) {
      open.details.remove();
      open.row.classList.remove('is-selected');
      open.row.setAttribute('aria-expanded', 'false');
      open = undefined;
    }
    if (same) return;
    const details = renderDetails(row, traceStart, byId, () => toggle(element, row));
    element.after(details);
    element.classList.add('is-selected');
    element.setAttribute('aria-expanded', 'true');
    open = { row: element, details };
  };

  for (const row of rows) {
    const element = renderSpanRow(row, traceStart, scale);
    element.addEventListener('click', () => toggle(element, row));
    element.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' || event.key === ' ') {
        event.preventDefault();
        toggle(element, row);
      } else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        const all = [...waterfall.querySelectorAll<HTMLElement>('[data-testid="span-row"]')];
        all[all.indexOf(element) + (event.key === 'ArrowDown' ? 1 : -1)]?.focus();
      }
    });
    waterfall.append(element);
  }

  page.replaceChildren(back, h('section', { class: 'trace-page' }, header, note, waterfall));
}

function fact(label: string, value: Child, wide = false): HTMLElement {
  return h('div', { class: wide ? 'fact fact-wide' : 'fact' }, h('dt', {}, label), h('dd', {}, value));
}

function renderSpanRow({ span, depth, orphan }: Row, traceStart: number, scale: number): HTMLElement {
  const error = isError(span);
  const color = serviceColor(span.service);
  const left = clampPercent(((span.startTime - traceStart) / scale) * 100);
  const width = Math.min(clampPercent(((span.endTime - span.startTime) / scale) * 100), 100 - left);

  const name = h('div', { class: 'wf-name', title: `${span.service}: ${span.name}` },
    h('span', { class: 'indent', 'aria-hidden': 'true' }),
    h('span', { class: 'svc' }, span.service),
    h('span', { class: 'op' }, span.name || '(unnamed)'),
    error ? errorMark() : null,
    orphan ? h('span', { class: 'tag', title: `Parent span ${span.parentSpanId ?? ''} has not arrived` }, 'parent missing') : null,
  );
  (name.firstChild as HTMLElement).style.width = `${depth * 16}px`;

  const bar = h('div', { class: 'bar', 'data-testid': 'span-bar' });
  bar.style.left = `${left}%`;
  bar.style.width = `${width}%`;
  const label = h('span', { class: 'bar-label' }, formatDuration(spanDuration(span)));
  // The label sits right of the bar; left of it when the bar ends near the right edge; inside
  // it, at its end, when the bar fills about the whole timeline.
  if (left + width <= 80) {
    label.style.left = `${left + width}%`;
  } else if (left >= 15) {
    label.classList.add('is-left');
    label.style.right = `${100 - left}%`;
  } else {
    label.classList.add('is-inside');
    label.style.right = `${100 - left - width}%`;
  }
  const timeline = h('div', { class: 'wf-timeline' }, bar, label);
  for (const event of span.events ?? []) {
    const mark = h('span', { class: 'event-mark', title: `${event.name} at +${formatDuration(event.time - traceStart)}` });
    mark.style.left = `${clampPercent(((event.time - traceStart) / scale) * 100)}%`;
    timeline.append(mark);
  }

  const row = h('div', {
    class: `span-row${error ? ' is-error' : ''}`,
    role: 'listitem',
    tabindex: 0,
    'aria-expanded': 'false',
    'data-testid': 'span-row',
    'data-span-id': span.spanId,
    'data-depth': depth,
  }, name, timeline);
  row.style.setProperty('--service-color', color);
  return row;
}

function clampPercent(value: number): number {
  return Number.isFinite(value) ? Math.min(100, Math.max(0, value)) : 0;
}

function renderDetails({ span, orphan }: Row, traceStart: number, byId: ReadonlyMap<string, Span>, close: () => void): HTMLElement {
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
      fact('Status', h('span', { class: `status status-${status.code.toLowerCase()}` },
        status.code === 'ERROR' ? errorMark() : null,
        status.code === 'ERROR' ? ' ' : null,
        status.code,
        status.message ? h('span', { class: 'status-message' }, `: ${status.message}`) : null), true),
    ),
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

// ---------------------------------------------------------------------------------------------

window.addEventListener('hashchange', route);
route();
