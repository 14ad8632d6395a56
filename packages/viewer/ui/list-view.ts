// The trace list (`#/?…`): Jaeger-style search kept in the URL, the duration-over-time scatter
// (click a point to open its trace, drag across it to narrow the search), p50/p90/p99 per
// operation, one page of traces, two of them picked for comparison, and a live mode.
import { getJson, type LatencyAnswer, type LatencyPoint, type OperationLatency, type TraceListAnswer, type TraceSummary } from './api.js';
import { errorMark, formatDuration, formatTime, h, isoTime, root, serviceChip, svg } from './dom.js';
import { isCurrent } from './navigation.js';

/** Typing in a text field reloads the list this long after the last key. */
const TYPE_DEBOUNCE_MS = 300;
/** Live mode reloads this often. */
const LIVE_MS = 2000;
const LOOKBACKS = ['', '5m', '15m', '1h', '6h', '1d', '2d'] as const;
const LIMITS = ['20', '100', '500', '1000'] as const;
const DEFAULT_LIMIT = '100';

/** The search as the URL holds it (`#/?service=…&attr=k=v&attr=…`), with the API's names. */
interface Search {
  service: string;
  operation: string;
  name: string;
  /** `key=value` pairs separated by spaces, as typed. */
  attributes: string;
  minDurationMs: string;
  maxDurationMs: string;
  lookback: string;
  start: string;
  end: string;
  errors: boolean;
  limit: string;
  offset: number;
  live: boolean;
}

function searchFrom(query: URLSearchParams): Search {
  return {
    service: query.get('service') ?? '',
    operation: query.get('operation') ?? '',
    name: query.get('name') ?? '',
    attributes: query.getAll('attr').join(' '),
    minDurationMs: query.get('minDurationMs') ?? '',
    maxDurationMs: query.get('maxDurationMs') ?? '',
    lookback: query.get('lookback') ?? '',
    start: query.get('start') ?? '',
    end: query.get('end') ?? '',
    errors: query.get('errors') === 'true',
    limit: query.get('limit') ?? DEFAULT_LIMIT,
    offset: Math.max(0, Math.floor(Number(query.get('offset') ?? '0')) || 0),
    live: query.get('live') === 'true',
  };
}

function positive(value: string): string | undefined {
  const n = Number(value);
  return value.trim() !== '' && Number.isFinite(n) && n >= 0 ? String(n) : undefined;
}

/** What the API is asked: the search without the UI-only fields (offset, limit and live aside). */
function apiQuery(search: Search): URLSearchParams {
  const query = new URLSearchParams();
  if (search.service !== '') query.set('service', search.service);
  if (search.operation.trim() !== '') query.set('operation', search.operation.trim());
  if (search.name.trim() !== '') query.set('name', search.name.trim());
  for (const pair of search.attributes.split(/\s+/)) if (pair.includes('=')) query.append('attr', pair);
  for (const key of ['minDurationMs', 'maxDurationMs', 'start', 'end'] as const) {
    const value = positive(search[key]);
    if (value !== undefined && !(key.endsWith('DurationMs') && value === '0')) query.set(key, value);
  }
  if (search.lookback !== '') query.set('lookback', search.lookback);
  if (search.errors) query.set('errors', 'true');
  return query;
}

function urlQuery(search: Search): URLSearchParams {
  const query = apiQuery(search);
  if (search.limit !== DEFAULT_LIMIT) query.set('limit', search.limit);
  if (search.offset > 0) query.set('offset', String(search.offset));
  if (search.live) query.set('live', 'true');
  return query;
}

function select(name: string, label: string, options: ReadonlyArray<readonly [string, string]>, value: string): HTMLSelectElement {
  const element = h('select', { name, 'aria-label': label }, ...options.map(([v, text]) => h('option', { value: v }, text)));
  element.value = value;
  return element;
}

function field(label: string, control: HTMLElement, extra = ''): HTMLElement {
  return h('label', { class: `field ${extra}` }, h('span', { class: 'field-label' }, label), control);
}

function textInput(name: string, label: string, value: string, placeholder: string): HTMLInputElement {
  const input = h('input', { type: 'search', name, placeholder, 'aria-label': label, autocomplete: 'off', spellcheck: 'false' });
  input.value = value;
  return input;
}

function msInput(name: string, label: string, value: string): HTMLElement & { input: HTMLInputElement } {
  const input = h('input', { type: 'number', name, min: 0, step: 'any', placeholder: '–', 'aria-label': label });
  input.value = value;
  return Object.assign(h('span', { class: 'with-unit' }, input, h('span', { class: 'unit' }, 'ms')), { input });
}

/** Renders the list view for the URL's query. */
export function showList(query: URLSearchParams, view: number): void {
  document.title = 'Traces · Tracewell';
  const search = searchFrom(query);

  const serviceSelect = select('service', 'Service', [['', 'All services'], ...(search.service === '' ? [] : [[search.service, search.service] as const])], search.service);
  const operationInput = textInput('operation', 'Operation (exact span name)', search.operation, 'any');
  const operations = h('datalist', { id: 'operations' });
  operationInput.setAttribute('list', 'operations');
  const nameInput = textInput('name', 'Span name contains', search.name, 'Span name');
  const attrInput = textInput('attr', 'Attributes (key=value, space separated)', search.attributes, 'http.response.status_code=500');
  const min = msInput('minDurationMs', 'Minimum duration in milliseconds', search.minDurationMs);
  const max = msInput('maxDurationMs', 'Maximum duration in milliseconds', search.maxDurationMs);
  const lookbackSelect = select('lookback', 'Lookback', LOOKBACKS.map((v) => [v, v === '' ? 'All time' : `Last ${v}`] as const), search.lookback);
  const limitSelect = select('limit', 'Result limit', LIMITS.map((v) => [v, v] as const), search.limit);
  const errorsInput = h('input', { type: 'checkbox', name: 'errors' });
  errorsInput.checked = search.errors;
  const liveInput = h('input', { type: 'checkbox', name: 'live' });
  liveInput.checked = search.live;
  const refreshButton = h('button', { type: 'submit', class: 'button', title: 'Search again' }, '↻ Refresh');
  const form = h('form', { class: 'filters', role: 'search' },
    field('Service', serviceSelect),
    field('Operation', operationInput),
    field('Name', nameInput, 'field-grow'),
    field('Attributes', attrInput, 'field-grow'),
    field('Min duration', min, 'field-narrow'),
    field('Max duration', max, 'field-narrow'),
    field('Lookback', lookbackSelect),
    field('Limit', limitSelect),
    h('label', { class: 'check' }, errorsInput, ' Errors only'),
    h('label', { class: 'check', title: `Reload every ${LIVE_MS / 1000} s` }, liveInput, ' Live'),
    refreshButton,
    operations,
  );
  const range = search.start !== '' || search.end !== ''
    ? h('p', { class: 'note range-note', 'data-testid': 'time-range' }, `Started between ${formatTime(Number(search.start || 0))} and ${search.end === '' ? 'now' : formatTime(Number(search.end))} `,
      h('a', { href: '#', 'data-action': 'clear-range' }, 'clear'))
    : null;

  const banner = h('div', { class: 'banner banner-error', role: 'alert', hidden: true });
  const scatter = h('div', { class: 'scatter', 'data-testid': 'scatter' });
  const percentiles = h('div', { class: 'percentiles' });
  const summary = h('p', { class: 'list-summary', 'aria-live': 'polite' });
  const pager = h('div', { class: 'pager' });
  const compareButton = h('button', { type: 'button', class: 'button', disabled: true, 'data-testid': 'compare' }, 'Compare 2 traces');
  const mapLink = h('a', { href: '#/map', 'data-testid': 'map-link' }, 'Service map of these traces');
  const tbody = h('tbody');
  const table = h('table', { class: 'trace-table' },
    h('thead', {}, h('tr', {},
      h('th', { class: 'col-pick' }, h('span', { class: 'visually-hidden' }, 'Compare')),
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
    range,
    banner,
    h('div', { class: 'overview' }, scatter, percentiles),
    h('div', { class: 'list-bar' }, summary, mapLink, compareButton, pager),
    h('div', { class: 'table-wrap' }, table),
  ));

  const go = (next: Search, replace = true): void => {
    const text = urlQuery(next).toString();
    const hash = `#/${text === '' ? '' : `?${text}`}`;
    if (replace) {
      history.replaceState(null, '', hash);
      Object.assign(search, next);
      void load();
    } else {
      location.hash = hash;
    }
  };

  const picked: string[] = [];
  const updateCompare = (): void => {
    compareButton.disabled = picked.length !== 2;
  };
  compareButton.addEventListener('click', () => {
    if (picked.length === 2) location.hash = `#/compare?a=${picked[0]!}&b=${picked[1]!}`;
  });

  let request = 0;
  let known = new Set<string>();
  const load = async (): Promise<void> => {
    const current = ++request;
    const api = apiQuery(search);
    mapLink.setAttribute('href', `#/map${api.toString() === '' ? '' : `?${api.toString()}`}`);
    const listQuery = new URLSearchParams(api);
    listQuery.set('limit', search.limit);
    listQuery.set('offset', String(search.offset));
    page.classList.add('is-loading');
    try {
      const [list, latency] = await Promise.all([
        getJson<TraceListAnswer>(`/api/traces?${listQuery.toString()}`),
        getJson<LatencyAnswer>(`/api/latency?${api.toString()}`),
      ]);
      if (!isCurrent(view) || current !== request) return;
      banner.hidden = true;
      const fresh = new Set(list.traces.map((t) => t.traceId));
      renderTraceRows(tbody, list.traces, known.size === 0 ? new Set() : new Set([...fresh].filter((id) => !known.has(id))), picked, updateCompare);
      known = fresh;
      renderScatter(scatter, latency.points, search, go);
      renderPercentiles(percentiles, latency.operations, search, go);
      operations.replaceChildren(...latency.operations.map((op) => h('option', { value: op.name })));
      const filtered = [...api.keys()].length > 0;
      const from = list.total === 0 ? 0 : list.offset + 1;
      summary.textContent = list.total === 0
        ? (filtered ? 'No traces match this search.' : 'No traces yet: they appear here as the viewer receives spans.')
        : `Traces ${from}–${list.offset + list.traces.length} of ${list.total}${filtered ? ' matching' : ''}, newest first`;
      pager.replaceChildren(...[
        list.offset > 0 ? pagerLink('← Newer', () => go({ ...search, offset: Math.max(0, list.offset - list.limit) })) : undefined,
        list.offset + list.traces.length < list.total ? pagerLink('Older →', () => go({ ...search, offset: list.offset + list.limit })) : undefined,
      ].filter((link) => link !== undefined));
    } catch (error: unknown) {
      if (!isCurrent(view) || current !== request) return;
      banner.textContent = `Could not load traces: ${error instanceof Error ? error.message : String(error)}`;
      banner.hidden = false;
    } finally {
      if (current === request) page.classList.remove('is-loading');
    }
  };

  const loadServices = async (): Promise<void> => {
    try {
      const { services } = await getJson<{ services: string[] }>('/api/services');
      if (!isCurrent(view)) return;
      const names = new Set(services);
      if (search.service !== '') names.add(search.service);
      serviceSelect.replaceChildren(h('option', { value: '' }, 'All services'), ...[...names].sort().map((name) => h('option', { value: name }, name)));
      serviceSelect.value = search.service;
    } catch {
      // The trace list reports the failure; the select keeps "All services".
    }
  };

  // The search lives in the URL so Back from a trace returns to the same list; replaceState
  // does not fire hashchange, so this view stays and only its data reloads.
  const apply = (): void => {
    go({
      ...search,
      service: serviceSelect.value,
      operation: operationInput.value,
      name: nameInput.value,
      attributes: attrInput.value,
      minDurationMs: min.input.value,
      maxDurationMs: max.input.value,
      lookback: lookbackSelect.value,
      limit: limitSelect.value,
      errors: errorsInput.checked,
      live: liveInput.checked,
      offset: 0,
    });
  };
  let typing: ReturnType<typeof setTimeout> | undefined;
  const applyNow = (): void => {
    clearTimeout(typing);
    apply();
  };
  for (const control of [serviceSelect, lookbackSelect, limitSelect, errorsInput, min.input, max.input]) control.addEventListener('change', applyNow);
  liveInput.addEventListener('change', () => {
    applyNow();
    schedule();
  });
  for (const input of [operationInput, nameInput, attrInput]) {
    input.addEventListener('input', () => {
      clearTimeout(typing);
      typing = setTimeout(apply, TYPE_DEBOUNCE_MS);
    });
  }
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    applyNow();
    void loadServices();
  });
  range?.querySelector('[data-action="clear-range"]')?.addEventListener('click', (event) => {
    event.preventDefault();
    go({ ...search, start: '', end: '', offset: 0 }, false);
  });

  // Live mode: the first page reloads on a timer while this view is shown; new rows are marked.
  let timer: ReturnType<typeof setTimeout> | undefined;
  const schedule = (): void => {
    clearTimeout(timer);
    if (!search.live) return;
    timer = setTimeout(() => {
      if (!isCurrent(view) || !search.live) return;
      if (search.offset === 0) void load().then(schedule);
      else schedule();
    }, LIVE_MS);
  };

  void loadServices();
  void load().then(schedule);
}

function pagerLink(text: string, onClick: () => void): HTMLElement {
  const button = h('button', { type: 'button', class: 'button button-quiet' }, text);
  button.addEventListener('click', onClick);
  return button;
}

function renderTraceRows(tbody: HTMLTableSectionElement, traces: ReadonlyArray<TraceSummary>, fresh: ReadonlySet<string>, picked: string[], onPick: () => void): void {
  const longest = Math.max(0, ...traces.map((trace) => trace.durationMs).filter(Number.isFinite));
  tbody.replaceChildren(...traces.map((trace) => {
    const href = `#/traces/${encodeURIComponent(trace.traceId)}`;
    const durationBar = h('span', { class: 'duration-bar' });
    durationBar.style.width = `${longest > 0 ? Math.max(1, (trace.durationMs / longest) * 100) : 0}%`;
    const pick = h('input', { type: 'checkbox', 'aria-label': `Compare trace ${trace.traceId}`, 'data-testid': 'pick' });
    pick.checked = picked.includes(trace.traceId);
    pick.addEventListener('change', () => {
      const at = picked.indexOf(trace.traceId);
      if (pick.checked && at === -1) picked.push(trace.traceId);
      if (!pick.checked && at !== -1) picked.splice(at, 1);
      // Two at most: picking a third drops the oldest pick.
      while (picked.length > 2) {
        const dropped = picked.shift()!;
        tbody.querySelector<HTMLInputElement>(`[data-trace-id="${dropped}"] [data-testid="pick"]`)?.click();
      }
      onPick();
    });
    const classes = [trace.error ? 'is-error' : '', fresh.has(trace.traceId) ? 'is-new' : ''].filter(Boolean).join(' ');
    const row = h('tr', { 'data-testid': 'trace-row', 'data-trace-id': trace.traceId, class: classes === '' ? undefined : classes, tabindex: 0 },
      h('td', { class: 'col-pick' }, pick),
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
      // Links, the checkbox and modified clicks do their own thing.
      if (!(event.target instanceof Element && event.target.closest('a, input') !== null)) open();
    });
    row.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') open();
    });
    return row;
  }));
}

/**
 * Jaeger's scatter: one dot per trace, start time across, duration up (errors in red). A click
 * on a dot opens the trace; dragging a box narrows the search to that time range and duration band.
 */
function renderScatter(container: HTMLElement, points: ReadonlyArray<LatencyPoint>, search: Search, go: (next: Search, replace?: boolean) => void): void {
  const width = 640;
  const height = 170;
  const pad = { left: 56, right: 10, top: 10, bottom: 22 };
  if (points.length === 0) return void container.replaceChildren(h('p', { class: 'muted scatter-empty' }, 'No traces to plot.'));
  let t0 = Infinity;
  let t1 = -Infinity;
  let d1 = 0;
  for (const p of points) {
    t0 = Math.min(t0, p.startTime);
    t1 = Math.max(t1, p.startTime);
    d1 = Math.max(d1, p.durationMs);
  }
  if (t1 === t0) t1 = t0 + 1;
  d1 = d1 > 0 ? d1 * 1.05 : 1;
  const x = (t: number): number => pad.left + ((t - t0) / (t1 - t0)) * (width - pad.left - pad.right);
  const y = (d: number): number => height - pad.bottom - (d / d1) * (height - pad.top - pad.bottom);
  const plot = svg('svg', { viewBox: `0 0 ${width} ${height}`, class: 'scatter-plot', role: 'img', 'aria-label': `Duration of ${points.length} traces over time` });
  plot.append(svg('line', { x1: pad.left, y1: height - pad.bottom, x2: width - pad.right, y2: height - pad.bottom, class: 'axis' }));
  for (const at of [0, 0.5, 1]) {
    const label = svg('text', { x: pad.left - 6, y: y(d1 * at) + 4, class: 'axis-label', 'text-anchor': 'end' });
    label.textContent = formatDuration(d1 * at);
    plot.append(label);
  }
  for (const [at, anchor] of [[t0, 'start'], [t1, 'end']] as const) {
    const label = svg('text', { x: x(at), y: height - 6, class: 'axis-label', 'text-anchor': anchor });
    label.textContent = formatTime(at);
    plot.append(label);
  }
  for (const p of points) {
    const dot = svg('circle', { cx: x(p.startTime), cy: y(p.durationMs), r: 4, class: p.error ? 'dot is-error' : 'dot', 'data-testid': 'scatter-dot', 'data-trace-id': p.traceId, tabindex: 0 });
    const title = svg('title', {});
    title.textContent = `${formatDuration(p.durationMs)} at ${formatTime(p.startTime)}`;
    dot.append(title);
    dot.addEventListener('click', () => {
      location.hash = `#/traces/${p.traceId}`;
    });
    plot.append(dot);
  }
  // Brushing: a drag of more than a few pixels becomes a search for that box.
  const box = svg('rect', { class: 'brush', x: 0, y: 0, width: 0, height: 0, visibility: 'hidden' });
  plot.append(box);
  const toPlot = (event: PointerEvent): { px: number; py: number } => {
    const r = plot.getBoundingClientRect();
    return { px: ((event.clientX - r.left) / r.width) * width, py: ((event.clientY - r.top) / r.height) * height };
  };
  let from: { px: number; py: number } | undefined;
  plot.addEventListener('pointerdown', (event) => {
    if (event.target instanceof SVGCircleElement) return;
    from = toPlot(event);
    plot.setPointerCapture(event.pointerId);
  });
  plot.addEventListener('pointermove', (event) => {
    if (from === undefined) return;
    const to = toPlot(event);
    box.setAttribute('x', String(Math.min(from.px, to.px)));
    box.setAttribute('y', String(Math.min(from.py, to.py)));
    box.setAttribute('width', String(Math.abs(to.px - from.px)));
    box.setAttribute('height', String(Math.abs(to.py - from.py)));
    box.setAttribute('visibility', 'visible');
  });
  plot.addEventListener('pointerup', (event) => {
    if (from === undefined) return;
    const to = toPlot(event);
    const start = from;
    from = undefined;
    box.setAttribute('visibility', 'hidden');
    if (Math.abs(to.px - start.px) < 4) return;
    const time = (px: number): number => t0 + ((px - pad.left) / (width - pad.left - pad.right)) * (t1 - t0);
    const duration = (py: number): number => Math.max(0, ((height - pad.bottom - py) / (height - pad.top - pad.bottom)) * d1);
    const big = Math.abs(to.py - start.py) >= 4;
    go({
      ...search,
      start: String(Math.floor(time(Math.min(start.px, to.px)))),
      end: String(Math.ceil(time(Math.max(start.px, to.px)))),
      minDurationMs: big ? String(Math.floor(duration(Math.max(start.py, to.py)) * 1000) / 1000) : search.minDurationMs,
      maxDurationMs: big ? String(Math.ceil(duration(Math.min(start.py, to.py)) * 1000) / 1000) : search.maxDurationMs,
      lookback: '',
      offset: 0,
    }, false);
  });
  container.replaceChildren(plot);
}

function renderPercentiles(container: HTMLElement, operations: ReadonlyArray<OperationLatency>, search: Search, go: (next: Search, replace?: boolean) => void): void {
  if (operations.length === 0) return void container.replaceChildren();
  container.replaceChildren(h('table', { class: 'trace-table percentile-table', 'data-testid': 'percentiles' },
    h('thead', {}, h('tr', {}, h('th', {}, 'Operation'), h('th', { class: 'col-num' }, 'Count'), h('th', { class: 'col-num' }, 'Errors'), h('th', { class: 'col-num' }, 'p50'), h('th', { class: 'col-num' }, 'p90'), h('th', { class: 'col-num' }, 'p99'))),
    h('tbody', {}, ...operations.slice(0, 12).map((op) => {
      const link = h('a', { href: '#', title: 'Search this operation' }, op.name || '(unnamed)');
      link.addEventListener('click', (event) => {
        event.preventDefault();
        go({ ...search, service: op.service, operation: op.name, offset: 0 }, false);
      });
      return h('tr', { 'data-testid': 'percentile-row' },
        h('td', {}, serviceChip(op.service), ' ', link),
        h('td', { class: 'col-num' }, op.count),
        h('td', { class: 'col-num' }, op.errors > 0 ? h('span', { class: 'error-text' }, op.errors) : '0'),
        h('td', { class: 'col-num' }, formatDuration(op.p50)),
        h('td', { class: 'col-num' }, formatDuration(op.p90)),
        h('td', { class: 'col-num' }, formatDuration(op.p99)));
    })),
  ));
}
