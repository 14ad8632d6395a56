import { status as grpcStatus, type ServiceError } from '@grpc/grpc-js';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createTracer, InMemorySpanExporter, SimpleSpanProcessor, SpanKind, SpanStatusCode, suppressTracing, type ReadableSpan } from '@tracewell/core';
import { traceHttpClients } from '@tracewell/http-client';
import { createAuth } from '../src/apps/auth';
import { createFrontend, type QueueStats } from '../src/apps/frontend';
import { createQueue } from '../src/apps/queue';
import { createQueueClient } from '../src/apps/queue-service';
import { createRender, dotNodes } from '../src/apps/render';
import { rpcName } from '../src/apps/rpc';
import { createSystem } from '../src/apps/system';
import { listenGrpc } from '../src/run-service';
import type { ViewerSpan } from '../src/viewer-api';
import { renderWaterfall } from '../src/waterfall';

/** A span as the viewer's API would return it. */
function asViewerSpan(span: ReadableSpan): ViewerSpan {
  return {
    traceId: span.traceId,
    spanId: span.spanId,
    parentSpanId: span.parentSpanId ?? null,
    name: span.name,
    kind: SpanKind[span.kind] as ViewerSpan['kind'],
    service: String(span.resource.attributes['service.name']),
    startTime: span.startTime,
    endTime: span.endTime,
    durationMs: span.endTime - span.startTime,
    // The viewer's values are plain JSON (mutable arrays); the span's are the same values, read-only.
    attributes: { ...span.attributes } as ViewerSpan['attributes'],
    events: [],
    status: { code: SpanStatusCode[span.status.code] as ViewerSpan['status']['code'] },
  };
}

describe('taskqueue services in one process', () => {
  const exporter = new InMemorySpanExporter();
  const tracer = (serviceName: string) => createTracer({ serviceName, sampler: 'always_on', spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const servers: Server[] = [];
  const listen = async (app: { listen(port: number, host: string): Server }): Promise<string> => {
    const server = app.listen(0, '127.0.0.1');
    servers.push(server);
    await new Promise((resolve) => server.once('listening', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };
  const queue = createQueue({ tracer: tracer('queue'), latency: () => 2 });
  let frontendUrl: string;
  let authUrl: string;
  let queueTarget: string;
  let stopTracingClients: () => void;
  // The test's own requests: not traced, as a browser's would not be (fetch is traced in this process).
  const request = (url: string, init?: RequestInit) => suppressTracing(() => fetch(url, init));

  beforeAll(async () => {
    const fast = () => 2;
    authUrl = await listen(createAuth({ tracer: tracer('auth'), latency: fast }));
    queueTarget = `127.0.0.1:${await listenGrpc(queue, 0, '127.0.0.1')}`;
    const systemUrl = await listen(createSystem({ tracer: tracer('system'), latency: fast }));
    const renderUrl = await listen(createRender({ tracer: tracer('render'), latency: () => 10 }));
    const frontendTracer = tracer('frontend');
    stopTracingClients = traceHttpClients({ tracer: frontendTracer }); // the frontend's fetch of System.Stats
    frontendUrl = await listen(createFrontend({ authUrl, queueTarget, systemUrl, renderUrl, tracer: frontendTracer }));
  });
  afterAll(() => {
    stopTracingClients();
    servers.forEach((s) => s.close());
    queue.forceShutdown();
  });
  beforeEach(() => exporter.reset());

  const spansOf = async (traceId: string, count: number): Promise<ReadableSpan[]> => {
    const of = () => exporter.getFinishedSpans().filter((s) => s.traceId === traceId);
    for (let i = 0; i < 200 && of().length < count; i++) await new Promise((r) => setTimeout(r, 5));
    return of();
  };
  const label = (s: ReadableSpan) => `${s.resource.attributes['service.name']} ${SpanKind[s.kind]} ${s.name}`;

  it('TaskQueue.Stats is the seed trace: auth, then two reports and the system stats at once, then the render', async () => {
    const response = await request(`${frontendUrl}/TaskQueue.Stats?queue=default`, { headers: { 'x-user': 'alice' } });
    expect(response.status).toBe(200);
    const body = (await response.json()) as QueueStats;
    expect(body).toMatchObject({ queue: 'default', user: 'alice', pending: { report: 'pending', tasks: 42 }, leased: { report: 'leased', tasks: 7 }, graph: { format: 'svg', nodes: 3 } });
    expect(typeof body.system.load1).toBe('number');

    const spans = await spansOf(body.traceId, 11);
    expect(spans.map(label).sort()).toEqual([
      'auth SERVER TaskQueue.Auth',
      'frontend CLIENT GET',
      'frontend CLIENT GET',
      'frontend CLIENT POST',
      'frontend CLIENT taskqueue.QueueService/Report',
      'frontend CLIENT taskqueue.QueueService/Report',
      'frontend SERVER TaskQueue.Stats',
      'queue SERVER taskqueue.QueueService/Report',
      'queue SERVER taskqueue.QueueService/Report',
      'render SERVER Graphviz.Render',
      'system SERVER System.Stats',
    ]);
    const root = spans.find((s) => s.parentSpanId === undefined)!;
    expect(root.name).toBe('TaskQueue.Stats');
    expect(root.attributes).toMatchObject({ 'app.queue': 'default', 'enduser.id': 'alice', 'http.route': '/TaskQueue.Stats' });

    // Every call is a CLIENT span under the root, answered by exactly one SERVER span under it:
    // over HTTP the call's URL is the RPC's path; over gRPC both spans bear the method's name.
    const calls = spans.filter((s) => s.kind === SpanKind.CLIENT);
    expect(calls.every((c) => c.parentSpanId === root.spanId)).toBe(true);
    const rpcOf = (call: ReadableSpan) => (call.attributes['rpc.system'] === 'grpc' ? call.name : new URL(String(call.attributes['url.full'])).pathname.slice(1));
    for (const server of spans.filter((s) => s !== root)) {
      if (server.kind === SpanKind.CLIENT) continue;
      const call = calls.find((c) => c.spanId === server.parentSpanId)!;
      expect(rpcOf(call)).toBe(server.name);
      expect(server.parentIsRemote).toBe(true);
    }
    expect(new Set(spans.map((s) => s.parentSpanId)).size).toBe(7); // root's (none), root, and each of the five calls

    // The queue hops are gRPC calls: CLIENT and SERVER spans named after the method, with
    // OpenTelemetry's RPC attributes; the others are HTTP.
    const grpc = spans.filter((s) => s.attributes['rpc.system'] === 'grpc');
    expect(grpc.map(label).sort()).toEqual([
      'frontend CLIENT taskqueue.QueueService/Report',
      'frontend CLIENT taskqueue.QueueService/Report',
      'queue SERVER taskqueue.QueueService/Report',
      'queue SERVER taskqueue.QueueService/Report',
    ]);
    for (const span of grpc) {
      expect(span.attributes).toMatchObject({ 'rpc.system': 'grpc', 'rpc.service': 'taskqueue.QueueService', 'rpc.method': 'Report', 'rpc.grpc.status_code': 0 });
      expect(span.attributes['url.full']).toBeUndefined();
      expect(span.status.code).toBe(SpanStatusCode.UNSET);
    }
    for (const call of grpc.filter((s) => s.kind === SpanKind.CLIENT)) expect(call.attributes).toMatchObject({ 'server.address': '127.0.0.1', 'server.port': Number(queueTarget.split(':')[1]) });
    expect(spans.filter((s) => s.attributes['rpc.system'] === undefined).every((s) => typeof s.attributes['http.request.method'] === 'string')).toBe(true);

    // The order of the article: auth first, the three in parallel, then the render.
    const callTo = (rpc: string) => calls.filter((c) => rpcOf(c) === rpc);
    const [auth] = callTo('TaskQueue.Auth');
    const parallel = [...callTo('taskqueue.QueueService/Report'), ...callTo('System.Stats')];
    const [render] = callTo('Graphviz.Render');
    expect(parallel).toHaveLength(3);
    for (const call of parallel) {
      expect(call.startTime).toBeGreaterThanOrEqual(auth!.endTime);
      expect(call.endTime).toBeLessThanOrEqual(render!.startTime);
    }
    const reports = spans.filter((s) => s.name === 'taskqueue.QueueService/Report' && s.kind === SpanKind.SERVER).map((s) => s.attributes['app.report']);
    expect(reports.sort()).toEqual(['leased', 'pending']);

    const tree = renderWaterfall(spans.map(asViewerSpan)).split('\n');
    expect(tree).toHaveLength(11);
    expect(tree[0]).toMatch(/^TaskQueue\.Stats \[frontend\]\s+\d+\.\d ms \|█+\|$/);
    expect(tree[1]).toMatch(/^ {2}GET \/TaskQueue\.Auth \[frontend\]\s/);
    expect(tree[2]).toMatch(/^ {4}TaskQueue\.Auth \[auth\]\s/);
    // The three parallel calls, in whatever order they started, each with its server below it.
    const pairs = [3, 5, 7].map((i) => `${tree[i]!.replace(/\s+\d.*$/, '')} > ${tree[i + 1]!.replace(/\s+\d.*$/, '')}`);
    expect(pairs.sort()).toEqual([
      '  GET /System.Stats [frontend] >     System.Stats [system]',
      '  taskqueue.QueueService/Report [frontend] >     taskqueue.QueueService/Report [queue]',
      '  taskqueue.QueueService/Report [frontend] >     taskqueue.QueueService/Report [queue]',
    ]);
    expect(tree[9]).toMatch(/^ {2}POST \/Graphviz\.Render \[frontend\]\s/);
    expect(tree[10]).toMatch(/^ {4}Graphviz\.Render \[render\]\s/);
  });

  it('stops after TaskQueue.Auth when the user may not read the queue', async () => {
    const response = await request(`${frontendUrl}/TaskQueue.Stats`, { headers: { 'x-user': 'mallory' } });
    expect(response.status).toBe(403);
    const spans = await spansOf(exporter.getFinishedSpans()[0]!.traceId, 3);
    expect(spans.map(label).sort()).toEqual(['auth SERVER TaskQueue.Auth', 'frontend CLIENT GET', 'frontend SERVER TaskQueue.Stats']);
    expect(spans.find((s) => s.name === 'TaskQueue.Auth')!.attributes['app.auth.allowed']).toBe(false);
  });

  it('names only matched routes after the RPC; a 404 keeps the default name', async () => {
    expect((await request(`${authUrl}/TaskQueue.Nope`)).status).toBe(404);
    expect((await request(`${authUrl}/TaskQueue.Auth?user=bob`)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 20));
    expect(exporter.getFinishedSpans().map((s) => s.name).sort()).toEqual(['GET', 'TaskQueue.Auth']);
    expect(rpcName('/System.Stats')).toBe('System.Stats');
    expect(rpcName('/queues/:queue')).toBeUndefined();
    expect(rpcName(undefined)).toBeUndefined();
  });

  it('answers a report it does not know with INVALID_ARGUMENT, a client error: not an error of its span', async () => {
    const client = createQueueClient(queueTarget); // no interceptor: the test's call is not traced
    try {
      const error = (await client.report({ queue: 'default', report: 'bogus' as never }).catch((e: unknown) => e)) as ServiceError;
      expect({ code: error.code, details: error.details }).toEqual({ code: grpcStatus.INVALID_ARGUMENT, details: 'report must be one of pending, leased' });
      expect(await client.report({ queue: 'default', report: 'leased' })).toEqual({ queue: 'default', report: 'leased', tasks: 7, oldestSeconds: 12 });
    } finally {
      client.close();
    }
    await new Promise((r) => setTimeout(r, 20));
    const [invalid, ok] = exporter.getFinishedSpans();
    expect(label(invalid!)).toBe('queue SERVER taskqueue.QueueService/Report');
    expect(invalid!.parentSpanId).toBeUndefined(); // no trace context in the call: a new trace
    expect(invalid!.attributes).toMatchObject({ 'rpc.system': 'grpc', 'rpc.grpc.status_code': grpcStatus.INVALID_ARGUMENT });
    expect(invalid!.status.code).toBe(SpanStatusCode.UNSET);
    expect(ok!.attributes).toMatchObject({ 'rpc.grpc.status_code': grpcStatus.OK, 'app.report': 'leased', 'app.report.tasks': 7 });
  });

  it('the render service reads the graph it draws from DOT', () => {
    expect(dotNodes('digraph { default -> pending; default -> leased; label="3 pending" }')).toEqual(['default', 'pending', 'leased']);
  });
});
