import type { AddressInfo } from 'node:net';
import { createTracer, InMemorySpanExporter, SimpleSpanProcessor, SpanKind, SpanStatusCode, type ReadableSpan } from '@tracewell/core';
import { traceMiddleware } from '@tracewell/express';
import axios from 'axios';
import express from 'express';
import type { Server } from 'node:http';
import { traceAxios } from '../src';

// Three real services on 127.0.0.1, each with its own tracer and traced axios instance:
// front (express) → axios → middle (express) → axios → back (express).
interface Service {
  url: string;
  server: Server;
  exporter: InMemorySpanExporter;
}

async function service(name: string, build: (app: express.Express, client: ReturnType<typeof axios.create>) => void): Promise<Service> {
  const exporter = new InMemorySpanExporter();
  const tracer = createTracer({ serviceName: name, sampler: 'parentbased_always_on', spanProcessors: [new SimpleSpanProcessor(exporter)] });
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

describe('express → axios → express → axios → express', () => {
  let back: Service;
  let middle: Service;
  let front: Service;

  beforeAll(async () => {
    back = await service('back', (app) => {
      app.get('/stats/:queue', (req, res) => void res.json({ queue: req.params.queue, depth: 3 }));
      app.get('/broken', (_req, res) => void res.status(503).json({ error: 'down' }));
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
      app.get('/broken', async (_req, res) => {
        const status = await client.get(`${back.url}/broken`).then(() => 200, (e: { response?: { status: number } }) => e.response?.status ?? 0);
        res.status(502).json({ downstream: status });
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
      app.get('/broken', async (_req, res) => {
        const { status } = await client.get(`${middle.url}/broken`, { validateStatus: () => true });
        res.status(status).end();
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

  it('carries failures up the chain with the right statuses', async () => {
    const res = await axios.get(`${front.url}/broken`, { validateStatus: () => true });
    expect(res.status).toBe(502);
    const spans = await spansOf([front, middle, back], 5);
    const summary = spans.map((s) => `${s.resource.attributes['service.name']} ${SpanKind[s.kind]} ${s.attributes['http.response.status_code']} ${SpanStatusCode[s.status.code]}`).sort();
    expect(summary).toEqual([
      'back SERVER 503 ERROR',
      'front CLIENT 502 ERROR', // 5xx is an error for a client span even when validateStatus accepts it (OpenTelemetry's rule)
      'front SERVER 502 ERROR',
      'middle CLIENT 503 ERROR',
      'middle SERVER 502 ERROR',
    ]);
  });

  it('keeps 200 concurrent requests in 200 separate, complete traces', async () => {
    const responses = await Promise.all(Array.from({ length: 200 }, (_, i) => axios.get(`${front.url}/queues/q${i}`)));
    const spans = await spansOf([front, middle, back], 1000);
    expect(spans).toHaveLength(1000);
    const traces = new Map<string, ReadableSpan[]>();
    for (const span of spans) traces.set(span.traceId, [...(traces.get(span.traceId) ?? []), span]);
    expect(traces.size).toBe(200);
    responses.forEach((res, i) => {
      const trace = traces.get(res.data.traceId)!;
      expect(trace).toHaveLength(5);
      const ids = new Set(trace.map((s) => s.spanId));
      for (const span of trace) if (span.parentSpanId !== undefined) expect(ids.has(span.parentSpanId)).toBe(true);
      // The back service saw this request's queue name: no cross-talk.
      expect(trace.find((s) => s.resource.attributes['service.name'] === 'back')!.attributes['url.path']).toBe(`/stats/q${i}`);
    });
  });
});
