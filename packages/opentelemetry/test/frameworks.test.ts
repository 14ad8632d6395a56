// The bridge inside traced Express and Koa requests: `trace.getActiveSpan()` is `req.span` /
// `ctx.span`, a span a library starts through the OpenTelemetry API is its child, and an axios
// call made inside that span nests under it and carries the trace to the next service.
import { trace, type Span as OtelSpan } from '@opentelemetry/api';
import { traceAxios } from '@tracewell/axios';
import { createTracer, InMemorySpanExporter, SimpleSpanProcessor, SpanKind, type ReadableSpan, type Span } from '@tracewell/core';
import { traceMiddleware as traceExpress } from '@tracewell/express';
import { traceMiddleware as traceKoa } from '@tracewell/koa';
import axios from 'axios';
import express from 'express';
import Koa from 'koa';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { registerOpenTelemetry } from '../src';

const exporter = new InMemorySpanExporter();
const tracer = createTracer({ serviceName: 'bridged', sampler: 'parentbased_always_on', spanProcessors: [new SimpleSpanProcessor(exporter)] });
const client = axios.create();
const library = trace.getTracer('@acme/cache', '1.0.0');
const servers: Server[] = [];
let off: () => void;
let downstream: string;

async function listen(server: Server): Promise<string> {
  servers.push(server);
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

// What a handler does in both frameworks: checks the active span, then calls a "library" that
// wraps an outgoing call in an OpenTelemetry span.
async function handle(span: Span): Promise<{ same: boolean; seen: string | undefined }> {
  const active = trace.getActiveSpan();
  const same = active?.spanContext().spanId === span.spanContext().spanId;
  active?.setAttribute('via.otel', 'yes');
  active?.addEvent('handler reached');
  const seen = await library.startActiveSpan('cache.get', async (cacheSpan: OtelSpan) => {
    try {
      return (await client.get<{ traceparent?: string }>(`${downstream}/echo`)).data.traceparent;
    } finally {
      cacheSpan.end();
    }
  });
  return { same, seen };
}

beforeAll(async () => {
  off = registerOpenTelemetry({ tracer });
  traceAxios(client, { tracer });
  const echo = express();
  echo.use(traceExpress({ tracer }));
  echo.get('/echo', (req, res) => void res.json({ traceparent: req.headers.traceparent }));
  downstream = await listen(echo.listen(0, '127.0.0.1'));
});
afterAll(async () => {
  off();
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
});
beforeEach(() => exporter.reset());

async function spans(count: number): Promise<ReadableSpan[]> {
  for (let i = 0; i < 400 && exporter.getFinishedSpans().length < count; i++) await new Promise((r) => setTimeout(r, 5));
  return exporter.getFinishedSpans();
}

function checkTree(all: ReadableSpan[], result: { same: boolean; seen: string | undefined }): void {
  const request = all.find((s) => s.kind === SpanKind.SERVER && s.parentSpanId === undefined);
  const cache = all.find((s) => s.name === 'cache.get');
  const call = all.find((s) => s.kind === SpanKind.CLIENT);
  const echoed = all.find((s) => s.name === 'GET /echo');
  expect(all).toHaveLength(4);
  expect(result.same).toBe(true);
  expect(request).toMatchObject({ attributes: expect.objectContaining({ 'via.otel': 'yes' }) });
  expect(request!.events.map((e) => e.name)).toContain('handler reached');
  expect(cache).toMatchObject({ traceId: request!.traceId, parentSpanId: request!.spanId, attributes: expect.objectContaining({ 'otel.scope.name': '@acme/cache' }) });
  expect(call).toMatchObject({ traceId: request!.traceId, parentSpanId: cache!.spanId });
  expect(echoed).toMatchObject({ traceId: request!.traceId, parentSpanId: call!.spanId });
  // 03: sampled, and the trace id is random (W3C Level 2).
  expect(result.seen).toBe(`00-${request!.traceId}-${call!.spanId}-03`);
  // Each span exported once.
  expect(new Set(all.map((s) => s.spanId)).size).toBe(all.length);
}

it('Express: the OpenTelemetry API sees req.span, and library spans nest under it', async () => {
  const app = express();
  app.use(traceExpress({ tracer }));
  app.get('/users/:id', async (req, res) => void res.json(await handle(req.span)));
  const url = await listen(app.listen(0, '127.0.0.1'));
  const { data } = await axios.get(`${url}/users/7`);
  checkTree(await spans(4), data);
});

it('Koa: the OpenTelemetry API sees ctx.span, and library spans nest under it', async () => {
  const app = new Koa();
  app.use(traceKoa({ tracer }));
  app.use(async (ctx) => {
    ctx.body = await handle(ctx.span);
  });
  const url = await listen(app.listen(0, '127.0.0.1'));
  const { data } = await axios.get(`${url}/users/7`);
  checkTree(await spans(4), data);
});
