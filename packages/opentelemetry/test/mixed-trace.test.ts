// A mixed trace across processes: a plain OpenTelemetry SDK service (fixtures/otel-frontend.js:
// NodeTracerProvider, instrumentation-http, spans exported through TracewellSpanExporter) calls
// a Tracewell service (fixtures/pg-service.js: Express, the bridge, instrumentation-pg) over
// HTTP with W3C trace context. Both export to one viewer running here; the trace it holds must
// be one tree: frontend SERVER → frontend CLIENT → backend SERVER → backend pg spans.
import { startPostgres, type PostgresCluster } from '@tracewell/conformance';
import { startViewer, type RunningViewer } from '@tracewell/viewer';
import { getJson, isAlive, only, pollUntil, seedUsers, startService, traceSpans, viewerStats, type Service, type ViewerSpan } from './support/services';

const USER_SQL = 'SELECT id, name FROM users WHERE id = $1';

interface BackendAnswer {
  traceId: string;
  spanId: string;
  activeAfterQuery: string | null;
  user: { id: number; name: string } | null;
  traceparent: string | null;
}

interface PageAnswer {
  traceId: string;
  spanId: string;
  backend: { status: number; body: BackendAnswer };
}

interface BackendFlushed {
  tracer: { spansEnded: number; spansExported: number };
  opened: number;
}

let db: PostgresCluster;
let viewer: RunningViewer;
let backend: Service;
let frontend: Service;

beforeAll(async () => {
  db = await startPostgres();
  await seedUsers(db, 20);
  viewer = await startViewer({ port: 0 });
  backend = await startService('pg-service.js', ['express'], { VIEWER_URL: viewer.url, DATABASE_URL: db.url, SERVICE_NAME: 'users-express' });
  frontend = await startService('otel-frontend.js', [], { VIEWER_URL: viewer.url, BACKEND_URL: backend.url });
}, 30_000);

afterAll(async () => {
  const services = [frontend, backend].filter((s) => s !== undefined);
  await Promise.all(services.map((s) => s.stop()));
  for (const s of services) expect(isAlive(s.pid)).toBe(false);
  await viewer?.close();
  await db?.stop();
});

// Spans exported so far (both services), and connections the backend's pool has opened.
const seen = { spans: 0, opened: 0, traces: 0 };

/**
 * Waits until `pages` more /page requests are in the viewer: 5 spans each (frontend SERVER and
 * CLIENT, backend SERVER, pool connect, query), plus a pg.connect per connection the backend
 * opened meanwhile. Then checks the totals exactly: the viewer received each span once, and
 * holds one trace per page and nothing else (no trace of the exporters' own HTTP calls).
 */
async function settle(pages: number): Promise<void> {
  // The backend's connections were all opened before it answered; its flush exports what ended.
  const backendFlushed = await pollUntil(
    async () => (await getJson<BackendFlushed>(`${backend.url}/flush`)).body,
    (f) => f.tracer.spansEnded === f.tracer.spansExported,
  );
  const total = seen.spans + 5 * pages + (backendFlushed.opened - seen.opened);
  // The SDK's forceFlush does not wait for an export its timer already started: poll the viewer.
  await getJson(`${frontend.url}/flush`);
  const stats = await pollUntil(() => viewerStats(viewer), (s) => s.received.spans >= total);
  seen.spans = total;
  seen.opened = backendFlushed.opened;
  seen.traces += pages;
  expect({ received: stats.received.spans, held: stats.store.spans, traces: stats.store.traces }).toEqual({ received: total, held: total, traces: seen.traces });
}

/** One page's trace, checked exactly; returns its spans by role. */
function checkPage(spans: ViewerSpan[], page: PageAnswer, id: number): Record<'frontServer' | 'frontClient' | 'backServer' | 'pool' | 'query', ViewerSpan> & { connects: ViewerSpan[] } {
  const back = page.backend.body;
  expect(page.backend.status).toBe(200);
  expect(back.user).toEqual({ id, name: `user-${id}` });
  expect(back.traceId).toBe(page.traceId);

  const frontServer = only(spans, 'frontend SERVER span', (s) => s.service === 'otel-frontend' && s.kind === 'SERVER');
  const frontClient = only(spans, 'frontend CLIENT span', (s) => s.service === 'otel-frontend' && s.kind === 'CLIENT');
  const backServer = only(spans, 'backend SERVER span', (s) => s.service === 'users-express' && s.kind === 'SERVER');
  const pool = only(spans, 'pg-pool.connect span', (s) => s.name === 'pg-pool.connect');
  const query = only(spans, 'query span', (s) => s.name.startsWith('pg.query'));
  const connects = spans.filter((s) => s.name === 'pg.connect');
  expect(connects.length).toBeLessThanOrEqual(1);
  expect(spans).toHaveLength(5 + connects.length);
  expect(new Set(spans.map((s) => s.spanId)).size).toBe(spans.length);
  for (const span of spans) expect(span.traceId).toBe(page.traceId);
  for (const span of [pool, query, ...connects]) expect(span.service).toBe('users-express');

  const httpScope = { 'otel.scope.name': '@opentelemetry/instrumentation-http', 'otel.scope.version': expect.any(String) };
  expect(frontServer).toMatchObject({ spanId: page.spanId, parentSpanId: null, attributes: { ...httpScope, 'url.path': '/page', 'http.response.status_code': 200 } });
  expect(frontClient).toMatchObject({ parentSpanId: frontServer.spanId, attributes: { ...httpScope, 'url.full': `${backend.url}/users/${id}`, 'http.response.status_code': 200 } });
  // The backend continued the trace from the traceparent instrumentation-http injected.
  expect(back.traceparent).toBe(`00-${page.traceId}-${frontClient.spanId}-01`);
  expect(backServer).toMatchObject({ spanId: back.spanId, parentSpanId: frontClient.spanId, name: 'GET /users/:id', attributes: expect.objectContaining({ 'http.route': '/users/:id' }) });
  expect(back.activeAfterQuery).toBe(back.spanId);
  expect(pool).toMatchObject({ kind: 'CLIENT', parentSpanId: backServer.spanId });
  expect(query).toMatchObject({
    name: `pg.query:SELECT ${db.database}`,
    kind: 'CLIENT',
    parentSpanId: backServer.spanId,
    attributes: expect.objectContaining({ 'db.system.name': 'postgresql', 'db.query.text': USER_SQL, 'server.port': db.port, 'otel.scope.name': '@opentelemetry/instrumentation-pg' }),
  });
  for (const connect of connects) expect(connect).toMatchObject({ kind: 'CLIENT', parentSpanId: pool.spanId });
  return { frontServer, frontClient, backServer, pool, query, connects };
}

it('one trace: OpenTelemetry SDK SERVER → CLIENT → Tracewell SERVER → pg query, services as expected', async () => {
  const { status, body } = await getJson<PageAnswer>(`${frontend.url}/page?id=3`);
  expect(status).toBe(200);
  await settle(1);
  const spans = await traceSpans(viewer, body.traceId);
  const tree = checkPage(spans, body, 3);
  // The backend's pool was empty: this request opened its first connection.
  expect(tree.connects).toHaveLength(1);
  expect(seen.opened).toBe(1);
  expect(tree.frontServer).toMatchObject({ kind: 'SERVER', service: 'otel-frontend' });
  expect(tree.frontClient).toMatchObject({ kind: 'CLIENT', service: 'otel-frontend' });
  expect(tree.backServer).toMatchObject({ kind: 'SERVER', service: 'users-express' });
  expect(new Set(spans.map((s) => s.service))).toEqual(new Set(['otel-frontend', 'users-express']));
});

it('10 concurrent pages: each is its own tree across both processes', async () => {
  const ids = Array.from({ length: 10 }, (_, i) => i + 5);
  const pages = await Promise.all(ids.map((id) => getJson<PageAnswer>(`${frontend.url}/page?id=${id}`)));
  for (const { status } of pages) expect(status).toBe(200);
  expect(new Set(pages.map(({ body }) => body.traceId)).size).toBe(ids.length);
  const openedBefore = seen.opened;
  await settle(ids.length);
  let connects = 0;
  for (const [i, { body }] of pages.entries()) connects += checkPage(await traceSpans(viewer, body.traceId), body, ids[i]!).connects.length;
  expect(connects).toBe(seen.opened - openedBefore);
});
