import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import Router from '@koa/router';
import { traceAxios } from '@tracewell/axios';
import { createTracer, InMemorySpanExporter, SimpleSpanProcessor, SpanKind, type ReadableSpan, type Tracer } from '@tracewell/core';
import { traceMiddleware as expressTracing } from '@tracewell/express';
import axios from 'axios';
import express from 'express';
import { traceMiddleware as koaTracing } from '../src';
import type { KoaClass } from './apps';

// express → axios → koa (@koa/router with a nested router) → axios → express, all real
// servers on 127.0.0.1, each service with its own tracer, run on Koa 2 and Koa 3.
const majors: Array<[string, KoaClass]> = [
  ['koa 2', require('koa2') as KoaClass],
  ['koa 3', require('koa') as KoaClass],
];

function tracerFor(name: string, exporter: InMemorySpanExporter): Tracer {
  return createTracer({ serviceName: name, sampler: 'parentbased_always_on', spanProcessors: [new SimpleSpanProcessor(exporter)] });
}

async function start(server: Server): Promise<string> {
  await new Promise<void>((r) => server.once('listening', () => r()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe.each(majors)('express → axios → %s → axios → express', (_name, KoaApp) => {
  const exporter = new InMemorySpanExporter();
  const servers: Server[] = [];
  let entry: string;

  beforeAll(async () => {
    const backTracer = tracerFor('back', exporter);
    const back = express();
    back.use(expressTracing({ tracer: backTracer }));
    back.get('/depth/:queue', (req, res) => void res.json({ queue: req.params.queue, depth: 5 }));
    servers.push(back.listen(0, '127.0.0.1'));
    const backUrl = await start(servers[0]!);

    const koaTracer = tracerFor('koa', exporter);
    const koaClient = axios.create({ baseURL: backUrl });
    traceAxios(koaClient, { tracer: koaTracer });
    const koa = new KoaApp();
    koa.use(koaTracing({ tracer: koaTracer }));
    const queues = new Router();
    queues.get('/:queue/stats', async (ctx) => {
      const { data } = await koaClient.get(`/depth/${ctx.params.queue}`);
      ctx.body = data;
    });
    const api = new Router({ prefix: '/api' });
    api.use('/queues', queues.routes());
    koa.use(api.routes());
    servers.push(koa.listen(0, '127.0.0.1'));
    const koaUrl = await start(servers[1]!);

    const frontTracer = tracerFor('front', exporter);
    const frontClient = axios.create({ baseURL: koaUrl });
    traceAxios(frontClient, { tracer: frontTracer });
    const front = express();
    front.use(expressTracing({ tracer: frontTracer }));
    front.get('/dashboard/:queue', async (req, res) => {
      const { data } = await frontClient.get(`/api/queues/${req.params.queue}/stats`);
      res.json({ traceId: req.span.spanContext().traceId, stats: data });
    });
    servers.push(front.listen(0, '127.0.0.1'));
    entry = await start(servers[2]!);
  });

  afterAll(async () => {
    for (const server of servers) {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  beforeEach(() => exporter.reset());

  async function spans(count: number): Promise<ReadableSpan[]> {
    for (let i = 0; i < 400 && exporter.getFinishedSpans().length < count; i++) await new Promise((r) => setTimeout(r, 5));
    return exporter.getFinishedSpans();
  }

  it('is one trace, with the right names and parents', async () => {
    const { data } = await axios.get(`${entry}/dashboard/default`);
    expect(data.stats).toEqual({ queue: 'default', depth: 5 });
    const all = await spans(5);
    expect(all).toHaveLength(5);
    expect(new Set(all.map((s) => s.traceId))).toEqual(new Set([data.traceId]));
    const find = (service: string, kind: SpanKind) => all.find((s) => s.resource.attributes['service.name'] === service && s.kind === kind)!;
    const chain = [find('front', SpanKind.SERVER), find('front', SpanKind.CLIENT), find('koa', SpanKind.SERVER), find('koa', SpanKind.CLIENT), find('back', SpanKind.SERVER)];
    expect(chain.map((s) => s.name)).toEqual(['GET /dashboard/:queue', 'GET', 'GET /api/queues/:queue/stats', 'GET', 'GET /depth/:queue']);
    expect(chain[0]!.parentSpanId).toBeUndefined();
    for (let i = 1; i < chain.length; i++) expect(chain[i]!.parentSpanId).toBe(chain[i - 1]!.spanId);
  });

  it('keeps 200 concurrent requests in 200 complete traces with no cross-talk', async () => {
    const responses = await Promise.all(Array.from({ length: 200 }, (_, i) => axios.get(`${entry}/dashboard/q${i}`)));
    const all = await spans(1000);
    expect(all).toHaveLength(1000);
    responses.forEach((res, i) => {
      const trace = all.filter((s) => s.traceId === res.data.traceId);
      expect(trace).toHaveLength(5);
      const ids = new Set(trace.map((s) => s.spanId));
      for (const span of trace) if (span.parentSpanId !== undefined) expect(ids.has(span.parentSpanId)).toBe(true);
      expect(trace.find((s) => s.resource.attributes['service.name'] === 'koa' && s.kind === SpanKind.SERVER)!.attributes['url.path']).toBe(`/api/queues/q${i}/stats`);
    });
  });
});
