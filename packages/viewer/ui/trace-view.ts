// The trace page (`#/traces/<id>`): the verdict of the critical path, then the waterfall. Rows are
// virtualized (only those in view are in the DOM, so 100,000 spans draw as fast as 50), subtrees
// collapse, find-in-trace marks and jumps between matches, and the critical path is drawn on the
// bars. The analysis (critical path, self time, verdict) comes computed from the API.
import { ApiError, getJson, type CriticalSegment, type Span, type SpanTiming, type TraceDetailAnswer, type ViewerConfigAnswer } from './api.js';
import { errorMark, formatDuration, formatTime, h, isoTime, root, serviceChip, serviceColor } from './dom.js';
import { spanLinks, traceLinks } from './links.js';
import { isCurrent } from './navigation.js';
import { fact, renderDetails, spanDuration } from './span-details.js';
import { operationStats, renderStats } from './trace-stats.js';
import { layoutTree, visibleRows, type Row } from './trace-tree.js';

/** Height of one waterfall row in pixels (styles.css `.span-row`). */
const ROW_HEIGHT = 26;
/** Rows drawn above and below the visible ones, so fast scrolling shows no gaps. */
const OVERSCAN = 20;

function isError(span: Span): boolean {
  return span.status?.code === 'ERROR';
}

function clampPercent(value: number): number {
  return Number.isFinite(value) ? Math.min(100, Math.max(0, value)) : 0;
}

/** The whole trace: the first page says how many spans there are, the rest is fetched in pages. */
async function fetchTrace(traceId: string): Promise<TraceDetailAnswer> {
  const first = await getJson<TraceDetailAnswer>(`/api/traces/${encodeURIComponent(traceId)}`);
  const spans = [...first.spans];
  while (spans.length < first.total) {
    const page = await getJson<TraceDetailAnswer>(`/api/traces/${encodeURIComponent(traceId)}?offset=${spans.length}&limit=${first.limit}`);
    if (page.spans.length === 0) break;
    spans.push(...page.spans);
  }
  return { ...first, spans };
}

async function fetchConfig(): Promise<ViewerConfigAnswer> {
  try {
    return await getJson<ViewerConfigAnswer>('/api/config');
  } catch {
    return { links: [] };
  }
}

/** Renders the trace view. */
export async function showTrace(traceId: string, view: number): Promise<void> {
  document.title = `Trace ${traceId} · Tracewell`;
  const page = root();
  const back = h('nav', { class: 'crumbs' }, h('a', { href: '#/', class: 'back' }, '← Traces'));
  page.replaceChildren(back, h('p', { class: 'loading' }, 'Loading trace…'));
  const began = performance.now();
  let trace: TraceDetailAnswer;
  let config: ViewerConfigAnswer;
  try {
    [trace, config] = await Promise.all([fetchTrace(traceId), fetchConfig()]);
  } catch (error: unknown) {
    if (!isCurrent(view)) return;
    const notFound = error instanceof ApiError && error.status === 404;
    page.replaceChildren(back, h('div', { class: 'banner banner-error', role: 'alert' },
      notFound ? `Trace ${traceId} not found.` : `Could not load trace ${traceId}: ${error instanceof Error ? error.message : String(error)}`));
    return;
  }
  if (!isCurrent(view)) return;
  const spans = Array.isArray(trace.spans) ? trace.spans : [];
  if (spans.length === 0) {
    page.replaceChildren(back, h('div', { class: 'banner' }, `Trace ${traceId} has no spans.`));
    return;
  }

  const rows = layoutTree(spans);
  let traceStart = Infinity;
  let traceEnd = -Infinity;
  let errors = 0;
  const services = new Set<string>();
  for (const span of spans) {
    traceStart = Math.min(traceStart, span.startTime);
    traceEnd = Math.max(traceEnd, span.endTime);
    if (isError(span)) errors++;
    services.add(span.service);
  }
  const duration = traceEnd - traceStart;
  const scale = duration > 0 ? duration : 1;
  const main = rows.find((row) => row.span.parentSpanId === null) ?? rows[0]!;
  const orphans = rows.filter((row) => row.orphan).length;
  const analysis = trace.analysis;
  const segments = new Map<string, CriticalSegment[]>();
  for (const segment of analysis?.criticalPath ?? []) {
    const list = segments.get(segment.spanId);
    if (list === undefined) segments.set(segment.spanId, [segment]);
    else list.push(segment);
  }
  // The timings are by position in the trace's spans by start time, which is how they were
  // fetched; if the trace changed between pages they would not line up, and are not shown.
  const timings = analysis?.timings.selfMs.length === spans.length ? analysis.timings : undefined;
  const timingOf = (index: number): SpanTiming | undefined =>
    timings === undefined ? undefined : { selfMs: timings.selfMs[index]!, criticalMs: timings.criticalMs[index]!, shiftMs: timings.shiftMs[index]! };
  document.title = `${main.span.name} · Tracewell`;

  const compareLink = h('a', { href: `#/?operation=${encodeURIComponent(main.span.name)}&service=${encodeURIComponent(main.span.service)}`, title: 'Other traces of this operation, to compare' }, 'Same operation');
  const outLinks = traceLinks(config.links, trace.traceId, traceStart, traceEnd);
  const header = h('header', { class: 'trace-header' },
    h('h1', {}, h('span', { class: 'trace-title' }, main.span.name || '(unnamed)'), errors > 0 ? errorMark() : null),
    h('dl', { class: 'facts' },
      fact('Trace ID', h('code', { class: 'trace-id-full' }, trace.traceId || traceId)),
      fact('Started', h('span', { title: isoTime(traceStart) }, formatTime(traceStart))),
      fact('Duration', formatDuration(duration)),
      fact('Spans', String(spans.length)),
      errors > 0 ? fact('Errors', h('span', { class: 'error-text' }, String(errors))) : null,
      fact('Services', h('span', { class: 'chips' }, ...[...services].map(serviceChip))),
    ),
    analysis === undefined ? null : h('p', { class: 'verdict', 'data-testid': 'verdict' }, h('span', { class: 'cp-key', 'aria-hidden': 'true' }), analysis.verdict),
    h('p', { class: 'links' }, compareLink, ...outLinks.map((link) => h('a', { href: link.url, target: '_blank', rel: 'noopener noreferrer', 'data-testid': 'trace-link' }, `${link.name} ↗`))),
  );
  const note = orphans > 0
    ? h('p', { class: 'note' }, `${orphans} span${orphans === 1 ? ' has a parent that has' : 's have parents that have'} not arrived; shown at the top level.`)
    : null;

  // Find-in-trace and collapsing.
  const findInput = h('input', { type: 'search', placeholder: 'Find in trace (name, service, attribute value)', 'aria-label': 'Find in trace', 'data-testid': 'find', autocomplete: 'off', spellcheck: 'false' });
  const findCount = h('span', { class: 'muted', 'data-testid': 'find-count' });
  const collapseAll = h('button', { type: 'button', class: 'button button-quiet' }, 'Collapse all');
  const expandAll = h('button', { type: 'button', class: 'button button-quiet' }, 'Expand all');
  const statsButton = h('button', { type: 'button', class: 'button button-quiet', 'aria-expanded': 'false', 'data-testid': 'stats-toggle' }, 'Statistics');
  const download = h('button', { type: 'button', class: 'button button-quiet', 'data-testid': 'download-json', title: 'The spans and the analysis as the API gave them' }, 'Download JSON');
  const toolbar = h('div', { class: 'trace-toolbar' }, findInput, findCount, collapseAll, expandAll, statsButton, download);
  const statsSlot = h('div', { class: 'stats-slot' });
  statsButton.addEventListener('click', () => {
    const open = statsSlot.childElementCount === 0;
    statsSlot.replaceChildren(open ? renderStats(operationStats(spans, timings)) : '');
    statsButton.setAttribute('aria-expanded', String(open));
  });
  download.addEventListener('click', () => {
    // Every page as one answer; built only when asked (a big trace is tens of megabytes).
    const url = URL.createObjectURL(new Blob([JSON.stringify(trace)], { type: 'application/json' }));
    const link = h('a', { href: url, download: `trace-${trace.traceId}.json` });
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  });

  const collapsed = new Set<string>();
  let shown: Row[] = rows;
  let matches = new Set<string>();
  let selected: string | undefined;

  const viewport = h('div', { class: 'wf-viewport', 'data-testid': 'waterfall-viewport' });
  const spacer = h('div', { class: 'wf-spacer' });
  viewport.append(spacer);
  const waterfall = h('div', { class: 'waterfall', role: 'list', 'aria-label': 'Spans' },
    h('div', { class: 'wf-head', 'aria-hidden': 'true' },
      h('div', { class: 'wf-name' }, 'Service · operation'),
      h('div', { class: 'wf-timeline' }, ...[0, 0.25, 0.5, 0.75, 1].map((at) => {
        const tick = h('span', { class: 'tick' }, formatDuration(duration * at));
        tick.style.left = `${at * 100}%`;
        return tick;
      })),
    ),
    viewport,
  );
  const detailsSlot = h('div', { class: 'details-slot' });
  const byId = new Map(spans.map((span) => [span.spanId, span] as const));

  const select = (spanId: string | undefined): void => {
    selected = selected === spanId ? undefined : spanId;
    const row = selected === undefined ? undefined : rows.find((r) => r.span.spanId === selected);
    detailsSlot.replaceChildren(row === undefined ? '' : renderDetails(row, {
      traceStart,
      byId,
      timing: timingOf(row.index),
      links: spanLinks(config.links, row.span),
      close: () => select(row.span.spanId),
    }));
    draw(true);
  };

  let drawn = { first: -1, last: -1 };
  const draw = (force = false): void => {
    viewport.style.height = `${Math.min(shown.length * ROW_HEIGHT, Math.max(240, window.innerHeight * 0.7))}px`;
    spacer.style.height = `${shown.length * ROW_HEIGHT}px`;
    const first = Math.max(0, Math.floor(viewport.scrollTop / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(shown.length, Math.ceil((viewport.scrollTop + viewport.clientHeight) / ROW_HEIGHT) + OVERSCAN);
    if (!force && first === drawn.first && last === drawn.last) return;
    drawn = { first, last };
    const elements: HTMLElement[] = [];
    for (let i = first; i < last; i++) {
      const row = shown[i]!;
      const element = renderSpanRow(row, traceStart, scale, segments.get(row.span.spanId), {
        collapsed: collapsed.has(row.span.spanId),
        match: matches.has(row.span.spanId),
        selected: selected === row.span.spanId,
      });
      element.style.top = `${i * ROW_HEIGHT}px`;
      element.dataset['index'] = String(i);
      elements.push(element);
    }
    spacer.replaceChildren(...elements);
  };

  const reshow = (): void => {
    shown = visibleRows(rows, collapsed);
    draw(true);
  };
  const toggleCollapse = (spanId: string): void => {
    if (collapsed.has(spanId)) collapsed.delete(spanId);
    else collapsed.add(spanId);
    reshow();
  };
  const scrollToIndex = (index: number): void => {
    const top = index * ROW_HEIGHT;
    if (top < viewport.scrollTop || top + ROW_HEIGHT > viewport.scrollTop + viewport.clientHeight) viewport.scrollTop = Math.max(0, top - viewport.clientHeight / 2);
    draw();
  };

  spacer.addEventListener('click', (event) => {
    const target = event.target instanceof Element ? event.target : null;
    const element = target?.closest<HTMLElement>('[data-testid="span-row"]');
    if (element == null) return;
    const spanId = element.dataset['spanId']!;
    if (target!.closest('[data-action="collapse"]') !== null) return toggleCollapse(spanId);
    select(spanId);
  });
  spacer.addEventListener('keydown', (event) => {
    const element = event.target instanceof HTMLElement ? event.target.closest<HTMLElement>('[data-testid="span-row"]') : null;
    if (element == null) return;
    const index = Number(element.dataset['index']);
    const spanId = element.dataset['spanId']!;
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      select(spanId);
    } else if (event.key === 'ArrowLeft' || event.key === 'ArrowRight') {
      event.preventDefault();
      if (collapsed.has(spanId) === (event.key === 'ArrowRight')) toggleCollapse(spanId);
      spacer.querySelector<HTMLElement>(`[data-index="${index}"]`)?.focus();
    } else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      const next = index + (event.key === 'ArrowDown' ? 1 : -1);
      if (next < 0 || next >= shown.length) return;
      scrollToIndex(next);
      spacer.querySelector<HTMLElement>(`[data-index="${next}"]`)?.focus();
    }
  });
  let frame = 0;
  viewport.addEventListener('scroll', () => {
    cancelAnimationFrame(frame);
    frame = requestAnimationFrame(() => draw());
  });
  collapseAll.addEventListener('click', () => {
    for (const row of rows) if (row.descendants > 0 && row.depth > 0) collapsed.add(row.span.spanId);
    reshow();
  });
  expandAll.addEventListener('click', () => {
    collapsed.clear();
    reshow();
  });

  // Find: every span whose name, service or an attribute value contains the text. Enter jumps
  // to the next match, expanding its collapsed ancestors.
  let cursor = -1;
  const find = (): void => {
    const text = findInput.value.trim().toLowerCase();
    matches = new Set();
    if (text !== '') {
      for (const span of spans) {
        if (span.name.toLowerCase().includes(text) || span.service.toLowerCase().includes(text) || Object.values(span.attributes ?? {}).some((v) => String(v).toLowerCase().includes(text))) matches.add(span.spanId);
      }
    }
    cursor = -1;
    findCount.textContent = text === '' ? '' : `${matches.size} match${matches.size === 1 ? '' : 'es'}`;
    draw(true);
  };
  let findTimer: ReturnType<typeof setTimeout> | undefined;
  findInput.addEventListener('input', () => {
    clearTimeout(findTimer);
    findTimer = setTimeout(find, 150);
  });
  findInput.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter' || matches.size === 0) return;
    event.preventDefault();
    const order = rows.filter((row) => matches.has(row.span.spanId));
    cursor = (cursor + 1) % order.length;
    const target = order[cursor]!;
    // Expand every collapsed ancestor of the match.
    let parent = target.span.parentSpanId;
    while (parent !== null) {
      collapsed.delete(parent);
      parent = byId.get(parent)?.parentSpanId ?? null;
    }
    shown = visibleRows(rows, collapsed);
    scrollToIndex(shown.indexOf(target));
    draw(true);
    findCount.textContent = `${cursor + 1} of ${order.length}`;
  });

  page.replaceChildren(back, h('section', { class: 'trace-page' }, header, note, toolbar, statsSlot, waterfall, detailsSlot));
  // Redrawn when the viewport changes size; the observer goes with the element when the view does
  // (a window listener would pile up, one per trace opened).
  new ResizeObserver(() => draw()).observe(viewport);
  reshow();
  // How long the trace took from the request to its first drawn rows (the browser test reads it).
  page.dataset['renderMs'] = String(Math.round(performance.now() - began));
}

interface RowState {
  readonly collapsed: boolean;
  readonly match: boolean;
  readonly selected: boolean;
}

function renderSpanRow({ span, depth, orphan, descendants }: Row, traceStart: number, scale: number, critical: ReadonlyArray<CriticalSegment> | undefined, state: RowState): HTMLElement {
  const error = isError(span);
  const left = clampPercent(((span.startTime - traceStart) / scale) * 100);
  const width = Math.min(clampPercent(((span.endTime - span.startTime) / scale) * 100), 100 - left);

  const toggle = descendants > 0
    ? h('span', { class: 'collapse', 'data-action': 'collapse', role: 'button', title: state.collapsed ? `Show ${descendants} hidden spans` : 'Hide the spans below', 'aria-label': state.collapsed ? 'Expand' : 'Collapse' }, state.collapsed ? '▸' : '▾')
    : h('span', { class: 'collapse collapse-none', 'aria-hidden': 'true' });
  const name = h('div', { class: 'wf-name', title: `${span.service}: ${span.name}` },
    h('span', { class: 'indent', 'aria-hidden': 'true' }),
    toggle,
    h('span', { class: 'svc' }, span.service),
    h('span', { class: 'op' }, span.name || '(unnamed)'),
    error ? errorMark() : null,
    state.collapsed ? h('span', { class: 'tag' }, `+${descendants}`) : null,
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
  const timeline = h('div', { class: 'wf-timeline' }, bar);
  for (const segment of critical ?? []) {
    const mark = h('span', { class: 'cp-segment', 'data-testid': 'critical-segment' });
    const at = clampPercent(((segment.start - traceStart) / scale) * 100);
    mark.style.left = `${at}%`;
    mark.style.width = `${Math.max(0.2, Math.min(clampPercent(((segment.end - segment.start) / scale) * 100), 100 - at))}%`;
    timeline.append(mark);
  }
  timeline.append(label);
  for (const event of span.events ?? []) {
    const mark = h('span', { class: 'event-mark', title: `${event.name} at +${formatDuration(event.time - traceStart)}` });
    mark.style.left = `${clampPercent(((event.time - traceStart) / scale) * 100)}%`;
    timeline.append(mark);
  }

  const classes = ['span-row', error ? 'is-error' : '', critical !== undefined ? 'on-critical-path' : '', state.match ? 'is-match' : '', state.selected ? 'is-selected' : ''].filter(Boolean).join(' ');
  const row = h('div', {
    class: classes,
    role: 'listitem',
    tabindex: 0,
    'aria-expanded': state.selected ? 'true' : 'false',
    'data-testid': 'span-row',
    'data-span-id': span.spanId,
    'data-depth': depth,
  }, name, timeline);
  row.style.setProperty('--service-color', serviceColor(span.service));
  return row;
}
