import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createTracer, InMemorySpanExporter, SimpleSpanProcessor, SpanKind, type ReadableSpan } from '@tracewell/core';
import { traceAxios } from '@tracewell/axios';
import { traceMiddleware } from '@tracewell/express';
import axios from 'axios';
import express from 'express';
import { clsHookedContextManager } from '../src';

// packages/axios/test/end-to-end.test.ts with every tracer on the cls-hooked manager:
// front (express) → axios → middle (express) → axios → back (express), on 127.0.0.1.
interface Service {
  url: string;
  server: Server;
  exporter: InMemorySpanExporter;
}

async function service(name: string, build: (app: express.Express, client: ReturnType<typeof axios.create>) => void): Promise<Service> {
  const exporter = new InMemorySpanExporter();
  const tracer = createTracer({
    serviceName: name,
    sampler: 'parentbased_always_on',
    spanProcessors: [new SimpleSpanProcessor(exporter)],
    contextManager: clsHookedContextManager(),
  });
  const app = express();
  app.use(traceMiddleware({ tracer }));
  const client = axios.create();
  traceAxios(client, { tracer });
  build(app, client);
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((r) => server.once('listening', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, exporter };
}

async function spansOf(services: Service[], count: number): Promise<ReadableSpan[]> {
  const all = () => services.flatMap((s) => s.exporter.getFinishedSpans());
  for (let i = 0; i < 400 && all().length < count; i++) await new Promise((r) => setTimeout(r, 5));
  return all();
}

describe('cls-hooked: express → axios → express → axios → express', () => {
  let back: Service;
  let middle: Service;
  let front: Service;

  beforeAll(async () => {
    back = await service('back', (app) => {
      app.get('/stats/:queue', (req, res) => void res.json({ queue: req.params.queue, depth: 3 }));
    });
    middle = await service('middle', (app, client) => {
      app.get('/reports/:queue', async (req, res, next) => {
        try {
          const { data } = await client.get(`${back.url}/stats/${req.params.queue}`);
          res.json({ report: data });
        } catch (error) {
          next(error);
        }
      });
    });
    front = await service('front', (app, client) => {
      app.get('/queues/:queue', async (req, res, next) => {
        try {
          const { data } = await client.get(`${middle.url}/reports/${req.params.queue}`);
          res.json({ traceId: req.span.spanContext().traceId, ...data });
        } catch (error) {
          next(error);
        }
      });
    });
  });

  afterAll(async () => {
    for (const s of [front, middle, back]) {
      s.server.closeAllConnections();
      await new Promise<void>((r) => s.server.close(() => r()));
    }
  });

  beforeEach(() => [front, middle, back].forEach((s) => s.exporter.reset()));

  it('is one trace with the chain server → client → server → client → server, named by route', async () => {
    const { data } = await axios.get(`${front.url}/queues/default`);
    expect(data.report).toEqual({ queue: 'default', depth: 3 });
    const spans = await spansOf([front, middle, back], 5);
    expect(spans).toHaveLength(5);
    expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([data.traceId]));
    const byService = (name: string, kind: SpanKind) => spans.find((s) => s.resource.attributes['service.name'] === name && s.kind === kind)!;
    const frontServer = byService('front', SpanKind.SERVER);
    const frontClient = byService('front', SpanKind.CLIENT);
    const middleServer = byService('middle', SpanKind.SERVER);
    const middleClient = byService('middle', SpanKind.CLIENT);
    const backServer = byService('back', SpanKind.SERVER);
    expect(frontServer.parentSpanId).toBeUndefined();
    expect(frontClient.parentSpanId).toBe(frontServer.spanId);
    expect(middleServer.parentSpanId).toBe(frontClient.spanId);
    expect(middleClient.parentSpanId).toBe(middleServer.spanId);
    expect(backServer.parentSpanId).toBe(middleClient.spanId);
    expect([frontServer.name, middleServer.name, backServer.name]).toEqual(['GET /queues/:queue', 'GET /reports/:queue', 'GET /stats/:queue']);
    expect([frontClient.name, middleClient.name]).toEqual(['GET', 'GET']);
    for (const span of spans) expect(span.attributes['http.response.status_code']).toBe(200);
  });

  it('keeps 50 concurrent requests in 50 separate, complete traces', async () => {
    const responses = await Promise.all(Array.from({ length: 50 }, (_, i) => axios.get(`${front.url}/queues/q${i}`)));
    const spans = await spansOf([front, middle, back], 250);
    expect(spans).toHaveLength(250);
    const traces = new Map<string, ReadableSpan[]>();
    for (const span of spans) traces.set(span.traceId, [...(traces.get(span.traceId) ?? []), span]);
    expect(traces.size).toBe(50);
    responses.forEach((res, i) => {
      const trace = traces.get(res.data.traceId)!;
      expect(trace).toHaveLength(5);
      const ids = new Set(trace.map((s) => s.spanId));
      for (const span of trace) if (span.parentSpanId !== undefined) expect(ids.has(span.parentSpanId)).toBe(true);
      // Every client span's parent is its own service's server span, and the back service saw
      // this request's queue name: no cross-talk.
      for (const client of trace.filter((s) => s.kind === SpanKind.CLIENT)) {
        const server = trace.find((s) => s.spanId === client.parentSpanId)!;
        expect(server.kind).toBe(SpanKind.SERVER);
        expect(server.resource.attributes['service.name']).toBe(client.resource.attributes['service.name']);
      }
      expect(trace.find((s) => s.resource.attributes['service.name'] === 'back')!.attributes['url.path']).toBe(`/stats/q${i}`);
    });
  });
});
