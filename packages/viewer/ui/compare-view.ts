// Two traces side by side (`#/compare?a=&b=`): every span path of either, marked added, missing,
// slower, faster or the same in `b` against `a` (Jaeger's trace comparison, as a table).
import { getJson, type CompareAnswer, type TraceSummary } from './api.js';
import { formatDuration, formatTime, h, root } from './dom.js';
import { isCurrent } from './navigation.js';

const LABELS: Readonly<Record<string, string>> = { added: 'added', missing: 'missing', slower: 'slower', faster: 'faster', same: 'same' };

function traceCell(label: string, trace: TraceSummary): HTMLElement {
  return h('div', { class: 'fact' }, h('dt', {}, label), h('dd', {}, h('a', { href: `#/traces/${trace.traceId}` }, trace.rootName || '(unnamed)'), ` ${formatDuration(trace.durationMs)} at ${formatTime(trace.startTime)}`));
}

/** Renders the comparison of traces `a` and `b`. */
export async function showCompare(a: string, b: string, view: number): Promise<void> {
  document.title = 'Compare traces · Tracewell';
  const page = root();
  const back = h('nav', { class: 'crumbs' }, h('a', { href: '#/', class: 'back' }, '← Traces'));
  page.replaceChildren(back, h('p', { class: 'loading' }, 'Comparing…'));
  let answer: CompareAnswer;
  try {
    answer = await getJson<CompareAnswer>(`/api/compare?a=${encodeURIComponent(a)}&b=${encodeURIComponent(b)}`);
  } catch (error: unknown) {
    if (!isCurrent(view)) return;
    page.replaceChildren(back, h('div', { class: 'banner banner-error', role: 'alert' }, `Could not compare: ${error instanceof Error ? error.message : String(error)}`));
    return;
  }
  if (!isCurrent(view)) return;
  const counts = new Map<string, number>();
  for (const span of answer.spans) counts.set(span.change, (counts.get(span.change) ?? 0) + 1);
  page.replaceChildren(back, h('section', { class: 'compare-page' },
    h('header', { class: 'trace-header' },
      h('h1', {}, 'Compare traces'),
      h('dl', { class: 'facts' }, traceCell('A', answer.a), traceCell('B', answer.b)),
      h('p', { class: 'verdict', 'data-testid': 'compare-summary' }, `B against A: ${['added', 'missing', 'slower', 'faster', 'same'].map((c) => `${counts.get(c) ?? 0} ${LABELS[c]}`).join(', ')}${answer.total > answer.spans.length ? ` (first ${answer.spans.length} of ${answer.total} spans)` : ''}`),
    ),
    h('div', { class: 'table-wrap' }, h('table', { class: 'trace-table compare-table' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Span (service: name, from the root)'), h('th', { class: 'col-num' }, 'A'), h('th', { class: 'col-num' }, 'B'), h('th', {}, 'Change'))),
      h('tbody', {}, ...answer.spans.map((span) => h('tr', { class: `change-${span.change}`, 'data-testid': 'compare-row', 'data-change': span.change },
        h('td', { class: 'col-path' }, span.path),
        h('td', { class: 'col-num' }, span.aMs === null ? '–' : formatDuration(span.aMs)),
        h('td', { class: 'col-num' }, span.bMs === null ? '–' : formatDuration(span.bMs)),
        h('td', {}, h('span', { class: `change change-${span.change}` }, LABELS[span.change] ?? span.change))))),
    )),
  ));
}
