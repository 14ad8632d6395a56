// fetch and http.get traced by traceHttpClients, against a service traced by the real
// OpenTelemetry JS SDK with instrumentation-http and instrumentation-undici (a child process:
// @tracewell/conformance's otel-peer fixture). One trace in both directions.
import { startOtelPeer, type OtelPeer } from '@tracewell/conformance';
import { createTracer, InMemorySpanExporter, SimpleSpanProcessor, SpanKind, type ReadableSpan } from '@tracewell/core';
import { traceMiddleware } from '@tracewell/express';
import express from 'express';
import { get as httpGet, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { traceHttpClients } from '../src';

const exporter = new InMemorySpanExporter();
const tracer = createTracer({ serviceName: 'ours', sampler: 'parentbased_always_on', spanProcessors: [new SimpleSpanProcessor(exporter)] });
let peer: OtelPeer;
let server: Server;
let ours: string;
let off: () => void;

function getText(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    httpGet(url, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk)).on('end', () => resolve(text)).on('error', reject);
    }).on('error', reject);
  });
}

async function ourSpans(count: number): Promise<ReadableSpan[]> {
  for (let i = 0; i < 500 && exporter.getFinishedSpans().length < count; i++) await new Promise((r) => setTimeout(r, 10));
  return exporter.getFinishedSpans();
}

beforeAll(async () => {
  peer = await startOtelPeer();
  off = traceHttpClients({ tracer });
  const app = express();
  app.use(traceMiddleware({ tracer }));
  app.get('/call-otel/:client', async (req, res) => {
    const leaf = `${peer.url}/leaf`;
    const body = req.params.client === 'fetch' ? await (await fetch(leaf)).text() : await getText(leaf);
    res.json({ traceId: req.span.spanContext().traceId, peerSaw: (JSON.parse(body) as { traceparent: string }).traceparent });
  });
  app.get('/hello', (req, res) => void res.json({ traceId: req.span.spanContext().traceId, spanId: req.span.spanContext().spanId }));
  server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  ours = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  off();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await peer.stop();
});
beforeEach(() => exporter.reset());

describe.each(['fetch', 'http'])('with %s', (client) => {
  it('ours calls OpenTelemetry: the peer continues our trace under our CLIENT span', async () => {
    // traceHttpClients is process-wide: the test's own fetch is traced too, as the trace's root.
    const data = (await (await fetch(`${ours}/call-otel/${client}`)).json()) as { traceId: string; peerSaw: string };
    const spans = (await ourSpans(3)).filter((s) => s.traceId === data.traceId);
    const serverSpan = spans.find((s) => s.kind === SpanKind.SERVER)!;
    const clientSpans = spans.filter((s) => s.kind === SpanKind.CLIENT && s.parentSpanId === serverSpan.spanId);
    expect(clientSpans).toHaveLength(1);
    const [call] = clientSpans;
    expect(call!.attributes['url.full']).toBe(`${peer.url}/leaf`);
    expect(data.peerSaw).toBe(`00-${data.traceId}-${call!.spanId}-03`);
    const [peerServer] = await peer.spans(data.traceId, 1);
    expect(peerServer).toMatchObject({ kind: SpanKind.SERVER, traceId: data.traceId, parentSpanId: call!.spanId });
  });

  it('OpenTelemetry calls ours: our SERVER span continues the trace under the peer CLIENT span', async () => {
    const target = encodeURIComponent(`${ours}/hello`);
    const data = (await (await fetch(`${peer.url}/call?target=${target}&client=${client}`)).json()) as { traceId: string; spanId: string };
    const peerTrace = await peer.spans(data.traceId, 2);
    const peerServer = peerTrace.find((s) => s.kind === SpanKind.SERVER)!;
    const peerClient = peerTrace.filter((s) => s.kind === SpanKind.CLIENT);
    expect(peerClient).toHaveLength(1);
    expect(peerClient[0]!.parentSpanId).toBe(peerServer.spanId);
    const mine = (await ourSpans(2)).find((s) => s.spanId === data.spanId);
    expect(mine).toMatchObject({ kind: SpanKind.SERVER, name: 'GET /hello', traceId: peerClient[0]!.traceId, parentSpanId: peerClient[0]!.spanId });
  });
});
