import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createTracer, InMemorySpanExporter, SimpleSpanProcessor, SpanKind, SpanStatusCode, suppressTracing, type ReadableSpan } from '@tracewell/core';
import { traceHttpClients } from '@tracewell/http-client';
import { createAuth } from '../src/apps/auth';
import { createFrontend, type QueueStats } from '../src/apps/frontend';
import { createQueue } from '../src/apps/queue';
import { createRender, dotNodes } from '../src/apps/render';
import { rpcName } from '../src/apps/rpc';
import { createSystem } from '../src/apps/system';
import type { ViewerSpan } from '../src/viewer-api';
import { renderWaterfall } from '../src/waterfall';

/** A span as the viewer's API would return it. */
function asViewerSpan(span: ReadableSpan): ViewerSpan {
  return {
    traceId: span.traceId,
    spanId: span.spanId,
    parentSpanId: span.parentSpanId ?? null,
    name: span.name,
    kind: SpanKind[span.kind],
    service: String(span.resource.attributes['service.name']),
    startTime: span.startTime,
    endTime: span.endTime,
    durationMs: span.endTime - span.startTime,
    attributes: { ...span.attributes },
    status: { code: SpanStatusCode[span.status.code] },
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
  let frontendUrl: string;
  let queueUrl: string;
  let stopTracingClients: () => void;
  // The test's own requests: not traced, as a browser's would not be (fetch is traced in this process).
  const request = (url: string, init?: RequestInit) => suppressTracing(() => fetch(url, init));

  beforeAll(async () => {
    const fast = () => 2;
    const authUrl = await listen(createAuth({ tracer: tracer('auth'), latency: fast }));
    queueUrl = await listen(createQueue({ tracer: tracer('queue'), latency: fast }));
    const systemUrl = await listen(createSystem({ tracer: tracer('system'), latency: fast }));
    const renderUrl = await listen(createRender({ tracer: tracer('render'), latency: () => 10 }));
    const frontendTracer = tracer('frontend');
    stopTracingClients = traceHttpClients({ tracer: frontendTracer }); // the frontend's fetch of System.Stats
    frontendUrl = await listen(createFrontend({ authUrl, queueUrl, systemUrl, renderUrl, tracer: frontendTracer }));
  });
  afterAll(() => {
    stopTracingClients();
    servers.forEach((s) => s.close());
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
      'frontend CLIENT GET',
      'frontend CLIENT GET',
      'frontend CLIENT POST',
      'frontend SERVER TaskQueue.Stats',
      'queue SERVER QueueService.Report',
      'queue SERVER QueueService.Report',
      'render SERVER Graphviz.Render',
      'system SERVER System.Stats',
    ]);
    const root = spans.find((s) => s.parentSpanId === undefined)!;
    expect(root.name).toBe('TaskQueue.Stats');
    expect(root.attributes).toMatchObject({ 'app.queue': 'default', 'enduser.id': 'alice', 'http.route': '/TaskQueue.Stats' });

    // Every call is a CLIENT span under the root, answered by exactly one SERVER span under it.
    const calls = spans.filter((s) => s.kind === SpanKind.CLIENT);
    expect(calls.every((c) => c.parentSpanId === root.spanId)).toBe(true);
    for (const server of spans.filter((s) => s !== root)) {
      if (server.kind === SpanKind.CLIENT) continue;
      const call = calls.find((c) => c.spanId === server.parentSpanId)!;
      expect(new URL(String(call.attributes['url.full'])).pathname).toBe(`/${server.name}`);
      expect(server.parentIsRemote).toBe(true);
    }
    expect(new Set(spans.map((s) => s.parentSpanId)).size).toBe(7); // root's (none), root, and each of the five calls

    // The order of the article: auth first, the three in parallel, then the render.
    const callTo = (rpc: string) => calls.filter((c) => String(c.attributes['url.full']).endsWith(`/${rpc}`));
    const [auth] = callTo('TaskQueue.Auth');
    const parallel = [...callTo('QueueService.Report'), ...callTo('System.Stats')];
    const [render] = callTo('Graphviz.Render');
    expect(parallel).toHaveLength(3);
    for (const call of parallel) {
      expect(call.startTime).toBeGreaterThanOrEqual(auth!.endTime);
      expect(call.endTime).toBeLessThanOrEqual(render!.startTime);
    }
    const reports = spans.filter((s) => s.name === 'QueueService.Report').map((s) => s.attributes['app.report']);
    expect(reports.sort()).toEqual(['leased', 'pending']);

    const tree = renderWaterfall(spans.map(asViewerSpan)).split('\n');
    expect(tree).toHaveLength(11);
    expect(tree[0]).toMatch(/^TaskQueue\.Stats \[frontend\]\s+\d+\.\d ms \|█+\|$/);
    expect(tree[1]).toMatch(/^ {2}GET \/TaskQueue\.Auth \[frontend\]\s/);
    expect(tree[2]).toMatch(/^ {4}TaskQueue\.Auth \[auth\]\s/);
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
    expect((await request(`${queueUrl}/QueueService.Nope`)).status).toBe(404);
    expect((await request(`${queueUrl}/QueueService.Report?report=bogus`)).status).toBe(400);
    await new Promise((r) => setTimeout(r, 20));
    expect(exporter.getFinishedSpans().map((s) => s.name).sort()).toEqual(['GET', 'QueueService.Report']);
    expect(rpcName('/System.Stats')).toBe('System.Stats');
    expect(rpcName('/queues/:queue')).toBeUndefined();
    expect(rpcName(undefined)).toBeUndefined();
  });

  it('the render service reads the graph it draws from DOT', () => {
    expect(dotNodes('digraph { default -> pending; default -> leased; label="3 pending" }')).toEqual(['default', 'pending', 'leased']);
  });
});
