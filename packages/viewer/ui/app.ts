// The viewer's web UI, in plain TypeScript and the DOM, one module per view: the trace list
// (`#/`, with the search as a query), a trace (`#/traces/<id>`), a comparison of two traces
// (`#/compare?a=&b=`) and the service map (`#/map`). Served by the viewer's HTTP server, which
// also answers the JSON API; it loads nothing else, so it works offline.
import { showCompare } from './compare-view.js';
import { showList } from './list-view.js';
import { showMap } from './map-view.js';
import { nextView } from './navigation.js';
import { showTrace } from './trace-view.js';

function route(): void {
  const view = nextView();
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
    void showTrace(traceId, view);
  } else if (path === '/compare') {
    void showCompare(query.get('a') ?? '', query.get('b') ?? '', view);
  } else if (path === '/map') {
    showMap(query, view);
  } else {
    showList(query, view);
  }
  window.scrollTo(0, 0);
}

window.addEventListener('hashchange', route);
route();
