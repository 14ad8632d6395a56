// The service map (`#/map`, with the list's search as a query): services as nodes on a circle,
// an arrow per caller → callee with its call count, and the edges as a table with error rates
// and p50/p99 of what the caller waited.
import { getJson, type DependencyAnswer } from './api.js';
import { formatDuration, h, root, serviceChip, serviceColor, svg } from './dom.js';
import { isCurrent } from './navigation.js';

function drawMap(answer: DependencyAnswer): SVGSVGElement {
  const size = 420;
  const radius = answer.services.length <= 1 ? 0 : 150;
  const at = new Map(answer.services.map((service, i) => {
    const angle = (2 * Math.PI * i) / answer.services.length - Math.PI / 2;
    return [service, { x: size / 2 + radius * Math.cos(angle), y: size / 2 + radius * Math.sin(angle) }] as const;
  }));
  const map = svg('svg', { viewBox: `0 0 ${size} ${size}`, class: 'service-map', role: 'img', 'aria-label': `${answer.services.length} services, ${answer.edges.length} call edges` });
  const defs = svg('defs', {});
  const marker = svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 22, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' });
  marker.append(svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'arrow' }));
  defs.append(marker);
  map.append(defs);
  for (const edge of answer.edges) {
    const from = at.get(edge.caller)!;
    const to = at.get(edge.callee)!;
    map.append(svg('line', { x1: from.x, y1: from.y, x2: to.x, y2: to.y, class: edge.errors > 0 ? 'edge has-errors' : 'edge', 'marker-end': 'url(#arrow)', 'data-testid': 'map-edge' }));
    map.append(svg('text', { x: (from.x + to.x) / 2, y: (from.y + to.y) / 2 - 4, class: 'edge-label', 'text-anchor': 'middle' }, String(edge.calls)));
  }
  for (const service of answer.services) {
    const { x, y } = at.get(service)!;
    map.append(svg('circle', { cx: x, cy: y, r: 12, class: 'node', fill: serviceColor(service), 'data-testid': 'map-node' }));
    map.append(svg('text', { x, y: y + 26, class: 'node-label', 'text-anchor': 'middle' }, service));
  }
  return map;
}

/** Renders the service map for the search in `query`. */
export function showMap(query: URLSearchParams, view: number): void {
  document.title = 'Service map · Tracewell';
  const page = root();
  const back = h('nav', { class: 'crumbs' }, h('a', { href: `#/?${query.toString()}`, class: 'back' }, '← Traces'));
  page.replaceChildren(back, h('p', { class: 'loading' }, 'Loading the service map…'));
  void getJson<DependencyAnswer>(`/api/dependencies?${query.toString()}`).then((answer) => {
    if (!isCurrent(view)) return;
    page.replaceChildren(back, h('section', { class: 'map-page' },
      h('h1', {}, 'Service map'),
      answer.services.length === 0 ? h('p', { class: 'muted' }, 'No traces match.') : drawMap(answer),
      h('div', { class: 'table-wrap' }, h('table', { class: 'trace-table' },
        h('thead', {}, h('tr', {}, h('th', {}, 'Caller'), h('th', {}, 'Callee'), h('th', { class: 'col-num' }, 'Calls'), h('th', { class: 'col-num' }, 'Error rate'), h('th', { class: 'col-num' }, 'p50'), h('th', { class: 'col-num' }, 'p99'))),
        h('tbody', {}, ...answer.edges.map((edge) => h('tr', { 'data-testid': 'map-row' },
          h('td', {}, serviceChip(edge.caller)),
          h('td', {}, serviceChip(edge.callee)),
          h('td', { class: 'col-num' }, edge.calls),
          h('td', { class: 'col-num' }, `${((edge.errors / edge.calls) * 100).toFixed(1)}%`),
          h('td', { class: 'col-num' }, formatDuration(edge.p50)),
          h('td', { class: 'col-num' }, formatDuration(edge.p99))))),
      )),
    ));
  }, (error: unknown) => {
    if (!isCurrent(view)) return;
    page.replaceChildren(back, h('div', { class: 'banner banner-error', role: 'alert' }, `Could not load the service map: ${error instanceof Error ? error.message : String(error)}`));
  });
}
