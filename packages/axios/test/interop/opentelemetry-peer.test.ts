import { poll, startOtelPeer, type OtelPeer } from '@tracewell/conformance';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTracer, InMemorySpanExporter, SimpleSpanProcessor, SpanKind, type ReadableSpan } from '@tracewell/core';
import { traceMiddleware } from '@tracewell/express';
import axios from 'axios';
import express from 'express';
import { traceAxios } from '../../src';

// Tracewell (express middleware + traced axios) and a service traced by the real OpenTelemetry
// JS SDK (NodeTracerProvider + HttpInstrumentation) keep one trace across each other, in both
// directions. The OpenTelemetry peer is a plain Node.js child process (@tracewell/conformance's fixtures/otel-peer.js):
// its http instrumentation patches `http` through require hooks, which Jest's module system
// bypasses. OpenTelemetry's SpanKind numbers are the same as ours (SERVER 1, CLIENT 2).

async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function close(server: Server | undefined): Promise<void> {
  if (server === undefined || !server.listening) return;
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
}

// The trace of test (c), as a Google load balancer would send it: span id in decimal.
const CLOUD_TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CLOUD_SPAN_ID_DECIMAL = '12345678901234567890';
const CLOUD_SPAN_ID_HEX = 'ab54a98ceb1f0ad2'; // 12345678901234567890 in hex

describe('interop with an OpenTelemetry JS peer (sdk-trace-node + instrumentation-http)', () => {
  const exporter = new InMemorySpanExporter();
  const tracer = createTracer({ serviceName: 'ours', sampler: 'parentbased_always_on', spanProcessors: [new SimpleSpanProcessor(exporter)] });
  let peer: OtelPeer | undefined;
  let ours: Server | undefined;
  let echo: Server | undefined;
  let oursUrl: string;
  let echoUrl: string;

  const ourSpans = (count: number, traceId?: string): Promise<ReadableSpan[]> =>
    poll(`${count} spans of ours`, () => exporter.getFinishedSpans().filter((s) => traceId === undefined || s.traceId === traceId), (spans) => spans.length >= count);

  const peerSpans = (traceId: string, count: number) => peer!.spans(traceId, count);

  const only = <S extends { kind: number }>(spans: S[], kind: SpanKind): S => {
    const matching = spans.filter((s) => s.kind === kind);
    expect(matching).toHaveLength(1);
    return matching[0]!;
  };

  beforeAll(async () => {
    peer = await startOtelPeer();

    // A plain server, not traced: answers with the headers it received.
    echo = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(req.headers));
    });
    echoUrl = await listen(echo);

    const app = express();
    app.use(traceMiddleware({ tracer }));
    const client = axios.create();
    traceAxios(client, { tracer });
    app.get('/call-otel', async (req, res) => {
      const { data } = await client.get<{ traceparent?: string }>(`${peer!.url}/leaf`);
      res.json({ traceId: req.span.spanContext().traceId, peerSaw: data.traceparent });
    });
    app.get('/hello', (req, res) => {
      res.json({ traceId: req.span.spanContext().traceId, spanId: req.span.spanContext().spanId });
    });
    app.get('/call-otel-and-echo', async (_req, res) => {
      const { data: leaf } = await client.get<{ traceparent?: string }>(`${peer!.url}/leaf`);
      const { data: echoed } = await client.get<Record<string, string>>(`${echoUrl}/echo`);
      res.json({ peerSaw: leaf.traceparent, echoSaw: echoed });
    });
    ours = createServer(app);
    oursUrl = await listen(ours);
  });

  afterAll(async () => {
    await Promise.all([close(ours), close(echo), peer?.stop()]);
  });

  beforeEach(() => exporter.reset());

  it('ours calls OpenTelemetry: the peer continues our trace under our CLIENT span', async () => {
    const { data } = await axios.get<{ traceId: string; peerSaw: string }>(`${oursUrl}/call-otel`);

    const spans = await ourSpans(2);
    const server = only(spans, SpanKind.SERVER);
    const client = only(spans, SpanKind.CLIENT);
    expect(server.name).toBe('GET /call-otel');
    expect(server.traceId).toBe(data.traceId);
    expect(server.parentSpanId).toBeUndefined();
    expect(client.traceId).toBe(data.traceId);
    expect(client.parentSpanId).toBe(server.spanId);
    expect(client.attributes['url.full']).toBe(`${peer!.url}/leaf`);

    // What went over the wire: our client span, sampled (0x01) with a random trace id (0x02).
    expect(data.peerSaw).toBe(`00-${data.traceId}-${client.spanId}-03`);

    const [peerServer] = await peerSpans(data.traceId, 1);
    expect(peerServer).toMatchObject({ kind: SpanKind.SERVER, traceId: data.traceId, parentSpanId: client.spanId });
    expect(peerServer!.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect([server.spanId, client.spanId]).not.toContain(peerServer!.spanId);
  });

  it('OpenTelemetry calls ours: our SERVER span continues the trace under the peer CLIENT span', async () => {
    const target = `${oursUrl}/hello`;
    const { data } = await axios.get<{ traceId: string; spanId: string }>(`${peer!.url}/call?target=${encodeURIComponent(target)}`);

    const peerTrace = await peerSpans(data.traceId, 2);
    const peerServer = only(peerTrace, SpanKind.SERVER); // GET /call, a new trace started by the peer
    const peerClient = only(peerTrace, SpanKind.CLIENT); // its http.get to us
    expect(peerServer.parentSpanId).toBeUndefined();
    expect(peerClient.parentSpanId).toBe(peerServer.spanId);

    const [server] = await ourSpans(1);
    expect(server!.kind).toBe(SpanKind.SERVER);
    expect(server!.name).toBe('GET /hello');
    expect(server!.spanId).toBe(data.spanId);
    expect(server!.traceId).toBe(peerClient.traceId);
    expect(server!.parentSpanId).toBe(peerClient.spanId);
  });

  it('continues an X-Cloud-Trace-Context trace and hands it on as traceparent and X-Cloud-Trace-Context', async () => {
    const { data } = await axios.get<{ peerSaw: string; echoSaw: Record<string, string> }>(`${oursUrl}/call-otel-and-echo`, {
      headers: { 'X-Cloud-Trace-Context': `${CLOUD_TRACE_ID}/${CLOUD_SPAN_ID_DECIMAL};o=1` },
    });

    const spans = await ourSpans(3);
    const server = only(spans, SpanKind.SERVER);
    expect(server.traceId).toBe(CLOUD_TRACE_ID);
    expect(server.parentSpanId).toBe(CLOUD_SPAN_ID_HEX);
    const clients = spans.filter((s) => s.kind === SpanKind.CLIENT);
    const toPeer = clients.find((s) => s.attributes['url.full'] === `${peer!.url}/leaf`)!;
    const toEcho = clients.find((s) => s.attributes['url.full'] === `${echoUrl}/echo`)!;
    for (const client of [toPeer, toEcho]) {
      expect(client).toBeDefined();
      expect(client.traceId).toBe(CLOUD_TRACE_ID);
      expect(client.parentSpanId).toBe(server.spanId);
    }

    // The OpenTelemetry peer got the trace as W3C traceparent (sampled, as o=1 said) and continued it.
    expect(data.peerSaw).toBe(`00-${CLOUD_TRACE_ID}-${toPeer.spanId}-01`);
    const [peerServer] = await peerSpans(CLOUD_TRACE_ID, 1);
    expect(peerServer).toMatchObject({ kind: SpanKind.SERVER, traceId: CLOUD_TRACE_ID, parentSpanId: toPeer.spanId });

    // The plain server saw both headers, for our CLIENT span to it (span id in decimal for Cloud Trace).
    expect(data.echoSaw['x-cloud-trace-context']).toBe(`${CLOUD_TRACE_ID}/${BigInt(`0x${toEcho.spanId}`).toString()};o=1`);
    expect(data.echoSaw['traceparent']).toBe(`00-${CLOUD_TRACE_ID}-${toEcho.spanId}-01`);
  });
});
