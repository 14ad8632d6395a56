import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SpanKind, type ReadableSpan, type Span } from '@tracewell/core';
import { traceAxios } from '@tracewell/axios';
import axios from 'axios';
import { grpcClientInterceptor, grpcServerInterceptor } from '../src';
import { clientStream, collect, echoClient, memoryTracer, spansOf, startEchoServer, unary, until, type EchoClient, type EchoResponse, type EchoServer } from './support/echo-service';

// The SERVER span is the active span wherever the handler's code runs: in the handler, after
// awaits and timers, in a streaming handler's 'data' and 'end' listeners; so the calls it
// makes nest under it. Under load, every call keeps its own context.

const { tracer, exporter } = memoryTracer();

let http: Server;
let httpUrl: string;
const httpReceived: IncomingHttpHeaders[] = [];
let inner: EchoServer; // the server the handlers call with gRPC
let innerClient: EchoClient;
let server: EchoServer;
let client: EchoClient;

beforeAll(async () => {
  http = createServer((req, res) => {
    httpReceived.push(req.headers);
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  httpUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}/downstream`;
  const tracedAxios = axios.create();
  traceAxios(tracedAxios, { tracer });
  inner = await startEchoServer({ tracer, interceptors: [grpcServerInterceptor({ tracer })] });
  innerClient = echoClient(inner.address, { interceptors: [grpcClientInterceptor({ tracer, target: inner.address })] });
  server = await startEchoServer({ tracer, interceptors: [grpcServerInterceptor({ tracer })], outgoing: { axios: tracedAxios, url: httpUrl, grpc: innerClient } });
  client = echoClient(server.address, { interceptors: [grpcClientInterceptor({ tracer, target: server.address })] });
});
afterAll(async () => {
  client.close();
  innerClient.close();
  server.server.forceShutdown();
  inner.server.forceShutdown();
  http.closeAllConnections();
  await new Promise((resolve) => http.close(resolve));
});
beforeEach(() => exporter.reset());

const idle = () => new Promise((resolve) => setTimeout(resolve, 20));

/** The one SERVER span whose parent is `clientSpan`. */
function serverSpanUnder(clientSpan: ReadableSpan): ReadableSpan {
  const children = exporter.getFinishedSpans().filter((s) => s.kind === SpanKind.SERVER && s.parentSpanId === clientSpan.spanId);
  expect(children).toHaveLength(1);
  return children[0]!;
}

/** The one CLIENT span whose parent is `parent`. */
function onlyClientSpanUnder(parent: Span | ReadableSpan): ReadableSpan {
  const id = parent.spanContext().spanId;
  const children = exporter.getFinishedSpans().filter((s) => s.kind === SpanKind.CLIENT && s.parentSpanId === id);
  expect(children).toHaveLength(1);
  return children[0]!;
}

describe('the SERVER span is active while the handler runs', () => {
  it('unary: in the handler, after a timer, after an await, before answering', async () => {
    const parent = tracer.startSpan('parent');
    const r = await tracer.withSpan(parent, () => unary(client, { text: 'x', delayMs: 5 }));
    parent.end();
    expect(r.error).toBeNull();
    await until(() => spansOf(exporter, SpanKind.SERVER).length === 1);
    const serverSpan = serverSpanUnder(onlyClientSpanUnder(parent));
    const seen = r.response!.seen!;
    expect(Object.keys(seen).sort()).toEqual(['afterAwait', 'afterTimer', 'beforeAnswer', 'handler']);
    for (const where of Object.keys(seen)) expect({ where, spanId: seen[where]?.spanId }).toEqual({ where, spanId: serverSpan.spanId });
  });

  it("client streaming: in the handler, each 'data' listener, the 'end' listener and after an await there", async () => {
    const parent = tracer.startSpan('parent');
    const { result } = tracer.withSpan(parent, () => clientStream(client, [{ text: 'a', delayMs: 5 }, { text: 'b' }, { text: 'c' }], { gapMs: 5 }));
    const r = await result;
    parent.end();
    expect(r.error).toBeNull();
    await until(() => spansOf(exporter, SpanKind.SERVER).length === 1);
    const serverSpan = serverSpanUnder(onlyClientSpanUnder(parent));
    const seen = r.response!.seen!;
    expect(Object.keys(seen).sort()).toEqual(['afterAwait', 'data0', 'data1', 'data2', 'end', 'handler']);
    for (const where of Object.keys(seen)) expect({ where, spanId: seen[where]?.spanId }).toEqual({ where, spanId: serverSpan.spanId });
  });

  it('server streaming: at every write, across timers', async () => {
    const parent = tracer.startSpan('parent');
    const r = await tracer.withSpan(parent, () => collect(client.serverStream({ count: 3, delayMs: 3 })));
    parent.end();
    expect(r.status.code).toBe(0);
    await until(() => spansOf(exporter, SpanKind.SERVER).length === 1);
    const serverSpan = serverSpanUnder(onlyClientSpanUnder(parent));
    expect(r.messages.map((m) => m.seen!['write']?.spanId)).toEqual([serverSpan.spanId, serverSpan.spanId, serverSpan.spanId]);
  });

  it("bidi: in the handler and each 'data' listener; a span started there is the SERVER span's child", async () => {
    const parent = tracer.startSpan('parent');
    const duplex = tracer.withSpan(parent, () => client.bidi());
    const collected = collect(duplex);
    duplex.write({ text: 'a', nested: true });
    duplex.write({ text: 'b', nested: true });
    duplex.end();
    const r = await collected;
    parent.end();
    expect(r.status.code).toBe(0);
    await until(() => spansOf(exporter, SpanKind.SERVER).length === 1);
    const serverSpan = serverSpanUnder(onlyClientSpanUnder(parent));
    for (const m of r.messages) {
      expect(m.seen!['handler']?.spanId).toBe(serverSpan.spanId);
      expect(m.seen!['data']?.spanId).toBe(serverSpan.spanId);
      expect(exporter.getFinishedSpans().find((s) => s.spanId === m.nestedSpanId)?.parentSpanId).toBe(serverSpan.spanId);
    }
  });
});

describe('calls made in a handler are children of the SERVER span', () => {
  it('axios (traceAxios): its CLIENT span is the SERVER span\'s child, and its traceparent is what the HTTP server got', async () => {
    httpReceived.length = 0;
    const parent = tracer.startSpan('parent');
    const r = await tracer.withSpan(parent, () => unary(client, { call: 'axios' }));
    parent.end();
    expect(r.error).toBeNull();
    expect(r.response!.outgoing).toEqual({ ok: true });
    await until(() => exporter.getFinishedSpans().length === 4);
    const serverSpan = serverSpanUnder(onlyClientSpanUnder(parent));
    const axiosSpan = onlyClientSpanUnder(serverSpan);
    expect(axiosSpan.attributes['url.full']).toBe(httpUrl);
    expect(axiosSpan.traceId).toBe(parent.spanContext().traceId);
    expect(httpReceived).toHaveLength(1);
    // Flags: sampled, and (W3C level 2) the random trace id flag our ids carry.
    expect(httpReceived[0]!.traceparent).toMatch(new RegExp(`^00-${axiosSpan.traceId}-${axiosSpan.spanId}-0[13]$`));
  });

  it('gRPC: the nested CLIENT span is the SERVER span\'s child, and the nested SERVER span its child', async () => {
    const parent = tracer.startSpan('parent');
    const r = await tracer.withSpan(parent, () => unary(client, { call: 'grpc' }));
    parent.end();
    expect(r.error).toBeNull();
    expect((r.response!.outgoing as EchoResponse).text).toBe('nested');
    await until(() => exporter.getFinishedSpans().length === 5);
    await idle();
    const outerServer = serverSpanUnder(onlyClientSpanUnder(parent));
    const innerClientSpan = onlyClientSpanUnder(outerServer);
    const innerServer = serverSpanUnder(innerClientSpan);
    expect(innerClientSpan.name).toBe('demo.Echo/Unary');
    expect(innerClientSpan.attributes['server.port']).toBe(inner.port);
    expect(innerServer.traceId).toBe(parent.spanContext().traceId);
    expect(exporter.getFinishedSpans()).toHaveLength(5);
  });
});

describe('no context mixing under concurrency', () => {
  it('1,000 concurrent unary calls, each under its own parent: every SERVER span under its own CLIENT span, every nested span under its own SERVER span', async () => {
    const parents: Span[] = [];
    const results = await Promise.all(
      Array.from({ length: 1000 }, (_, i) => {
        const parent = tracer.startSpan(`parent-${i}`);
        parents.push(parent);
        return tracer.withSpan(parent, async () => {
          const r = await unary(client, { text: String(i), nested: true, delayMs: i % 3 });
          parent.end();
          return r;
        });
      }),
    );
    expect(results.filter((r) => r.error !== null)).toEqual([]);
    await until(() => exporter.getFinishedSpans().length === 4000);
    const spans = exporter.getFinishedSpans();
    expect(spans).toHaveLength(4000);
    const byParent = new Map<string | undefined, ReadableSpan[]>();
    for (const span of spans) byParent.set(span.parentSpanId, [...(byParent.get(span.parentSpanId) ?? []), span]);
    const only = (id: string, kind: SpanKind): ReadableSpan => {
      const children = byParent.get(id) ?? [];
      expect(children.map((c) => c.kind)).toEqual([kind]);
      return children[0]!;
    };
    results.forEach((r, i) => {
      const parent = parents[i]!;
      expect(r.response!.text).toBe(String(i));
      const clientSpan = only(parent.spanContext().spanId, SpanKind.CLIENT);
      const serverSpan = only(clientSpan.spanId, SpanKind.SERVER);
      const nested = only(serverSpan.spanId, SpanKind.INTERNAL);
      expect(nested.spanId).toBe(r.response!.nestedSpanId);
      expect(serverSpan.traceId).toBe(parent.spanContext().traceId);
      for (const seen of Object.values(r.response!.seen!)) expect(seen?.spanId).toBe(serverSpan.spanId);
    });
  }, 20_000);

  it('100 concurrent bidi streams: each message handled in its own stream\'s SERVER span', async () => {
    const streams = await Promise.all(
      Array.from({ length: 100 }, (_, i) => {
        const parent = tracer.startSpan(`parent-${i}`);
        return tracer.withSpan(parent, async () => {
          const duplex = client.bidi();
          const collected = collect(duplex);
          for (let m = 0; m < 3; m++) {
            duplex.write({ text: `${i}-${m}`, nested: true });
            await new Promise((resolve) => setTimeout(resolve, Math.random() * 4));
          }
          duplex.end();
          const r = await collected;
          parent.end();
          return { parent, r };
        });
      }),
    );
    // Per stream: parent, CLIENT, SERVER and 3 message spans.
    await until(() => exporter.getFinishedSpans().length === 600);
    const spans = exporter.getFinishedSpans();
    expect(spans).toHaveLength(600);
    streams.forEach(({ parent, r }, i) => {
      expect(r.status.code).toBe(0);
      expect(r.messages.map((m) => m.text).sort()).toEqual([`${i}-0`, `${i}-1`, `${i}-2`]);
      const clientSpan = onlyClientSpanUnder(parent);
      const serverSpan = serverSpanUnder(clientSpan);
      expect(clientSpan.traceId).toBe(parent.spanContext().traceId);
      expect(serverSpan.traceId).toBe(parent.spanContext().traceId);
      const nested = spans.filter((s) => s.parentSpanId === serverSpan.spanId);
      expect(nested.map((s) => s.name)).toEqual(['bidi-message', 'bidi-message', 'bidi-message']);
      expect(new Set(nested.map((s) => s.spanId))).toEqual(new Set(r.messages.map((m) => m.nestedSpanId)));
      for (const m of r.messages) {
        expect(m.seen!['handler']?.spanId).toBe(serverSpan.spanId);
        expect(m.seen!['data']?.spanId).toBe(serverSpan.spanId);
      }
    });
  }, 20_000);
});

it('the spans of concurrent calls all ended (no leak)', () => {
  const stats = tracer.stats();
  expect(stats.spansEnded).toBe(stats.spansStarted);
});
