// OpenTelemetry-instrumented pg inside traced requests: a Tracewell service (Express or Koa)
// with the bridge registered and @opentelemetry/instrumentation-pg loaded, querying a real
// PostgreSQL. The service runs as a child process (fixtures/pg-service.js), since
// instrumentations patch modules through require hooks that Jest's module system bypasses; it
// exports over OTLP to a viewer running here, which the assertions read.
import { startPostgres, type PostgresCluster } from '@tracewell/conformance';
import type { TracerStats } from '@tracewell/core';
import { startViewer, type RunningViewer } from '@tracewell/viewer';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { getJson, isAlive, only, pollUntil, seedUsers, startService, traceSpans, viewerStats, type Service, type ViewerSpan } from './support/services';

const USER_SQL = 'SELECT id, name FROM users WHERE id = $1';
const BROKEN_SQL = 'SELECT * FROM missing_table';
const PG_SCOPE = '@opentelemetry/instrumentation-pg';
const PG_VERSION = (JSON.parse(fs.readFileSync(path.resolve(path.dirname(require.resolve(PG_SCOPE)), '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
const USERS = 50;

/** What GET /users/:id and GET /broken answer. */
interface Answer {
  traceId: string;
  spanId: string;
  activeAfterQuery: string | null;
  traceparent?: string | null;
  user?: { id: number; name: string } | null;
  error?: { code: string; message: string } | null;
}

/** What GET /flush answers, once the service's tracer has flushed. */
interface Flushed {
  tracer: TracerStats;
  /** Connections the pool has opened so far: one pg.connect span each. */
  opened: number;
}

let db: PostgresCluster;
beforeAll(async () => {
  db = await startPostgres();
  // Set up from here, untraced: the services' only queries are the ones the tests make.
  await seedUsers(db, USERS);
}, 30_000);
afterAll(() => db?.stop());

describe.each(['express', 'koa'] as const)('OpenTelemetry-instrumented pg inside traced requests (%s)', (framework) => {
  const service = `users-${framework}`;
  let viewer: RunningViewer;
  let app: Service;
  // What the service has done so far, as the tests expect it: traced requests, and spans exported.
  const seen = { requests: 0, spans: 0, opened: 0 };

  beforeAll(async () => {
    viewer = await startViewer({ port: 0 });
    app = await startService('pg-service.js', [framework], { VIEWER_URL: viewer.url, DATABASE_URL: db.url, SERVICE_NAME: service });
  }, 20_000);
  afterAll(async () => {
    const pid = app?.pid;
    await app?.stop();
    if (pid !== undefined) expect(isAlive(pid)).toBe(false);
    await viewer?.close();
  });

  /**
   * After `requests` more traced requests, each with a pool connect and one query: waits until
   * the service has exported their spans (3 each, plus one pg.connect per connection the pool
   * opened meanwhile), then checks the totals exactly: every span ended was exported once, the
   * viewer got each once, and holds one trace per request and nothing else.
   */
  async function settle(requests: number): Promise<{ opened: number }> {
    const expected = (flushed: Flushed) => seen.spans + 3 * requests + (flushed.opened - seen.opened);
    const flushed = await pollUntil(
      async () => (await getJson<Flushed>(`${app.url}/flush`)).body,
      (f) => f.tracer.spansExported >= expected(f) && f.tracer.spansEnded === f.tracer.spansExported,
    );
    const opened = flushed.opened - seen.opened;
    const total = expected(flushed);
    seen.requests += requests;
    seen.spans = flushed.tracer.spansExported;
    seen.opened = flushed.opened;
    expect(flushed.tracer).toMatchObject({ spansEnded: total, spansExported: total, spansDropped: { queueFull: 0, exportFailed: 0, shutdown: 0 }, exportFailures: 0, queued: 0 });
    const stats = await viewerStats(viewer);
    expect({ received: stats.received.spans, held: stats.store.spans, traces: stats.store.traces }).toEqual({ received: total, held: total, traces: seen.requests });
    return { opened };
  }

  /**
   * The spans of one request's trace, checked exactly: the SERVER span is the handler's
   * req.span / ctx.span (ids it answered), the pool connect and the query are its children,
   * and each pg.connect (a connection opened for this request) is a child of the pool connect.
   */
  function checkTrace(spans: ViewerSpan[], answer: Answer, route: string, sql: string, callerSpanId: string | null = null): { server: ViewerSpan; pool: ViewerSpan; query: ViewerSpan; connects: ViewerSpan[] } {
    const server = only(spans, 'SERVER span', (s) => s.kind === 'SERVER');
    const pool = only(spans, 'pg-pool.connect span', (s) => s.name === 'pg-pool.connect');
    const query = only(spans, 'query span', (s) => s.attributes['db.query.text'] !== undefined);
    const connects = spans.filter((s) => s.name === 'pg.connect');
    expect(spans).toHaveLength(3 + connects.length);
    expect(connects.length).toBeLessThanOrEqual(1);
    expect(new Set(spans.map((s) => s.spanId)).size).toBe(spans.length);
    for (const span of spans) expect({ traceId: span.traceId, service: span.service }).toEqual({ traceId: answer.traceId, service });

    expect(server).toMatchObject({ spanId: answer.spanId, parentSpanId: callerSpanId, name: `GET ${route}`, attributes: expect.objectContaining({ 'http.route': route }) });
    // The span active in the handler after the query is req.span again.
    expect(answer.activeAfterQuery).toBe(answer.spanId);

    const database = { 'db.system.name': 'postgresql', 'db.namespace': db.database, 'server.address': db.host, 'server.port': db.port };
    const scope = { 'otel.scope.name': PG_SCOPE, 'otel.scope.version': PG_VERSION };
    // instrumentation-pg 0.76 sets the stable database conventions only (no db.system,
    // db.statement, db.name or net.peer.port).
    expect(query).toMatchObject({ name: `pg.query:SELECT ${db.database}`, kind: 'CLIENT', parentSpanId: server.spanId });
    expect(query.attributes).toEqual({ ...database, ...scope, 'db.query.text': sql });
    expect(pool).toMatchObject({ kind: 'CLIENT', parentSpanId: server.spanId, status: { code: 'UNSET' }, events: [] });
    expect(pool.attributes).toEqual({ ...database, ...scope, 'db.postgresql.idle.timeout.millis': 0 });
    for (const connect of connects) {
      expect(connect).toMatchObject({ kind: 'CLIENT', parentSpanId: pool.spanId, status: { code: 'UNSET' } });
      expect(connect.attributes).toEqual({ ...database, ...scope });
    }
    // The query runs once the pool handed out a client, not inside the connect span; all of
    // it within the request.
    expect(query.startTime).toBeGreaterThanOrEqual(pool.endTime);
    for (const child of [pool, query, ...connects]) {
      expect(child.startTime).toBeGreaterThanOrEqual(server.startTime);
      expect(child.endTime).toBeLessThanOrEqual(server.endTime);
    }
    return { server, pool, query, connects };
  }

  it('GET /users/:id: the pool connect and the query are children of the request span, with OpenTelemetry\'s database attributes', async () => {
    const { status, body } = await getJson<Answer>(`${app.url}/users/1`);
    expect(status).toBe(200);
    expect(body.user).toEqual({ id: 1, name: 'ada' });
    const { opened } = await settle(1);
    // The pool was empty: this request opened its first connection.
    expect(opened).toBe(1);
    const { server, query, connects } = checkTrace(await traceSpans(viewer, body.traceId), body, '/users/:id', USER_SQL);
    expect(connects).toHaveLength(1);
    expect(server.status).toEqual({ code: 'UNSET' });
    expect(query).toMatchObject({ status: { code: 'UNSET' }, events: [] });
  });

  it('a failing query: its span has status ERROR and an exception event, and the request still answers (500)', async () => {
    const { status, body } = await getJson<Answer>(`${app.url}/broken`);
    expect(status).toBe(500);
    expect(body.error).toEqual({ code: '42P01', message: 'relation "missing_table" does not exist' });
    const { opened } = await settle(1);
    const { server, query, connects } = checkTrace(await traceSpans(viewer, body.traceId), body, '/broken', BROKEN_SQL);
    expect(connects).toHaveLength(opened);
    expect(server).toMatchObject({ status: { code: 'ERROR' }, attributes: expect.objectContaining({ 'http.response.status_code': 500 }) });
    expect(query.status).toEqual({ code: 'ERROR', message: 'relation "missing_table" does not exist' });
    expect(query.events).toEqual([{ name: 'exception', time: expect.any(Number), attributes: { 'exception.message': expect.stringContaining('42P01') } }]);
    expect(query.events[0]!.time).toBeGreaterThanOrEqual(query.startTime);
    expect(query.events[0]!.time).toBeLessThanOrEqual(query.endTime);

    // The service goes on: pg-pool discarded the failed client, so the next request opens a
    // connection again, traced under its own request.
    const next = await getJson<Answer>(`${app.url}/users/2`);
    expect(next).toMatchObject({ status: 200, body: { user: { id: 2, name: 'user-2' } } });
    expect((await settle(1)).opened).toBe(1);
    expect(checkTrace(await traceSpans(viewer, next.body.traceId), next.body, '/users/:id', USER_SQL).connects).toHaveLength(1);
  });

  it('50 concurrent requests: each query span is a child of its own request\'s span', async () => {
    const answers = await Promise.all(Array.from({ length: USERS }, (_, i) => getJson<Answer>(`${app.url}/users/${i + 1}`)));
    answers.forEach(({ status, body }, i) => {
      expect(status).toBe(200);
      expect(body.user).toEqual({ id: i + 1, name: i === 0 ? 'ada' : `user-${i + 1}` });
    });
    expect(new Set(answers.map(({ body }) => body.traceId)).size).toBe(USERS);
    const { opened } = await settle(USERS);
    let connects = 0;
    for (const { body } of answers) connects += checkTrace(await traceSpans(viewer, body.traceId), body, '/users/:id', USER_SQL).connects.length;
    // Each connection opened meanwhile is one pg.connect span, in the trace of the request it
    // was opened for; the pool holds at most 10.
    expect(connects).toBe(opened);
    expect(opened).toBeLessThanOrEqual(10);
  });

  it('the caller\'s sampling decision holds for the pg spans: unsampled, nothing is exported; sampled, the trace continues', async () => {
    const before = (await getJson<Flushed>(`${app.url}/flush`)).body;
    const traceId = randomBytes(16).toString('hex');
    const caller = randomBytes(8).toString('hex');
    const unsampled = await getJson<Answer>(`${app.url}/users/3`, { traceparent: `00-${traceId}-${caller}-00` });
    expect(unsampled).toMatchObject({ status: 200, body: { traceId, user: { id: 3, name: 'user-3' } } });
    expect(unsampled.body.activeAfterQuery).toBe(unsampled.body.spanId);
    const after = (await getJson<Flushed>(`${app.url}/flush`)).body;
    // The request span, the pool connect, the query (and a pg.connect per connection opened)
    // were started, none recorded.
    expect(after.tracer.spansStarted - before.tracer.spansStarted).toBe(3 + after.opened - before.opened);
    expect(after.tracer.spansSampled).toBe(before.tracer.spansSampled);
    expect(after.tracer.spansExported).toBe(seen.spans);
    seen.opened = after.opened;

    const sampled = await getJson<Answer>(`${app.url}/users/4`, { traceparent: `00-${traceId}-${caller}-01` });
    expect(sampled).toMatchObject({ status: 200, body: { traceId, traceparent: `00-${traceId}-${caller}-01` } });
    await settle(1);
    // Only the sampled request's spans are in the trace.
    checkTrace(await traceSpans(viewer, traceId), sampled.body, '/users/:id', USER_SQL, caller);
  });
});
