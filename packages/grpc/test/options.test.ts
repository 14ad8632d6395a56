import * as grpc from '@grpc/grpc-js';
import { SpanKind, SpanStatusCode, TracewellConfigError, type MatchRules, type Span } from '@tracewell/core';
import { grpcClientInterceptor, grpcServerInterceptor, type GrpcClientCallInfo, type GrpcServerCallInfo, type GrpcServerStatus } from '../src';
import { clientStream, collect, echoClient, memoryTracer, spansOf, startEchoServer, unary, until, type EchoClient, type EchoServer } from './support/echo-service';

const { tracer, exporter } = memoryTracer();
const servers: EchoServer[] = [];
const clients: EchoClient[] = [];

afterAll(() => {
  for (const c of clients) c.close();
  for (const s of servers) s.server.forceShutdown();
});
beforeEach(() => exporter.reset());

async function pair(server: Parameters<typeof grpcServerInterceptor>[0], client: Parameters<typeof grpcClientInterceptor>[0] = { tracer }): Promise<{ s: EchoServer; c: EchoClient }> {
  const s = await startEchoServer({ tracer, interceptors: [grpcServerInterceptor(server)] });
  const c = echoClient(s.address, { interceptors: [grpcClientInterceptor({ target: s.address, ...client })] });
  servers.push(s);
  clients.push(c);
  return { s, c };
}

/** All four methods once; their status codes. */
async function callAll(c: EchoClient): Promise<number[]> {
  const u = await unary(c, { text: 'u' });
  const ss = await collect(c.serverStream({ count: 1 }));
  const cs = await clientStream(c, [{ text: 'c' }]).result;
  const duplex = c.bidi();
  const done = collect(duplex);
  duplex.write({ text: 'b' });
  duplex.end();
  const b = await done;
  return [u.error?.code ?? 0, ss.status.code, cs.error?.code ?? 0, b.status.code];
}

async function settled(n: number): Promise<void> {
  await until(() => exporter.getFinishedSpans().length >= n);
  await new Promise((resolve) => setTimeout(resolve, 20));
  expect(exporter.getFinishedSpans()).toHaveLength(n);
  const stats = tracer.stats();
  expect(stats.spansEnded).toBe(stats.spansStarted);
}

const serverNames = () => spansOf(exporter, SpanKind.SERVER).map((s) => s.name).sort();

describe('ignore: no SERVER span for those methods, and the call works', () => {
  const cases: Array<[string, MatchRules<string>, string[]]> = [
    ['a method name (exact)', 'demo.Echo/Unary', ['demo.Echo/Bidi', 'demo.Echo/ClientStream', 'demo.Echo/ServerStream']],
    ['a RegExp', /Stream$/, ['demo.Echo/Bidi', 'demo.Echo/Unary']],
    ['a predicate', (name: string) => name.endsWith('/Bidi'), ['demo.Echo/ClientStream', 'demo.Echo/ServerStream', 'demo.Echo/Unary']],
    ['an array', ['demo.Echo/Unary', /Bidi/], ['demo.Echo/ClientStream', 'demo.Echo/ServerStream']],
    ['a predicate that throws (ignores nothing)', () => {
      throw new Error('boom');
    }, ['demo.Echo/Bidi', 'demo.Echo/ClientStream', 'demo.Echo/ServerStream', 'demo.Echo/Unary']],
    ['a partial name (not a match: names are exact)', 'Unary', ['demo.Echo/Bidi', 'demo.Echo/ClientStream', 'demo.Echo/ServerStream', 'demo.Echo/Unary']],
  ];
  it.each(cases)('%s', async (_label, ignore, traced) => {
    const { c } = await pair({ tracer, ignore });
    expect(await callAll(c)).toEqual([0, 0, 0, 0]);
    await settled(4 + traced.length);
    expect(serverNames()).toEqual(traced);
    expect(spansOf(exporter, SpanKind.CLIENT)).toHaveLength(4);
  });

  it('an ignored call runs its handler with no active span (not the caller’s, not a leftover)', async () => {
    const { c } = await pair({ tracer, ignore: 'demo.Echo/Unary' });
    const r = await tracer.startActiveSpan('parent', () => unary(c, { text: 'x', delayMs: 1 }));
    expect(r.error).toBeNull();
    expect(r.response!.seen).toEqual({});
    // JSON drops undefined: every probe saw no span.
    expect(Object.keys(r.response!.seen!)).toEqual([]);
  });
});

describe('hooks', () => {
  it('client requestHook(span, { path, metadata }): the CLIENT span, trace headers already in the metadata', async () => {
    const calls: Array<{ span: Span; info: GrpcClientCallInfo; traceparent: unknown; recording: boolean }> = [];
    const { c, s } = await pair({ tracer }, {
      tracer,
      requestHook: (span, info) => {
        calls.push({ span, info, traceparent: info.metadata.get('traceparent')[0], recording: span.isRecording() });
        span.setAttribute('app.request', 'yes');
        info.metadata.set('x-added-by-hook', 'v');
      },
    });
    expect(await callAll(c)).toEqual([0, 0, 0, 0]);
    await settled(8);
    expect(calls.map((call) => call.info.path)).toEqual(['/demo.Echo/Unary', '/demo.Echo/ServerStream', '/demo.Echo/ClientStream', '/demo.Echo/Bidi']);
    const clientSpans = spansOf(exporter, SpanKind.CLIENT);
    for (const call of calls) {
      const exported = clientSpans.find((span) => span.spanId === call.span.spanContext().spanId)!;
      expect(exported.attributes['app.request']).toBe('yes');
      expect(call.recording).toBe(true);
      expect(call.info.metadata).toBeInstanceOf(grpc.Metadata);
      expect(call.traceparent).toMatch(new RegExp(`^00-${exported.traceId}-${exported.spanId}-0[13]$`));
    }
    // The hook's metadata is what is sent.
    expect(s.received.map((r) => r.metadata.get('x-added-by-hook'))).toEqual([['v'], ['v'], ['v'], ['v']]);
  });

  it('client responseHook(span, status): the status, before the span ends', async () => {
    const calls: Array<{ spanId: string; status: grpc.StatusObject; recording: boolean }> = [];
    const { c } = await pair({ tracer }, {
      tracer,
      responseHook: (span, status) => {
        calls.push({ spanId: span.spanContext().spanId, status, recording: span.isRecording() });
        span.setAttribute('app.response', status.code);
      },
    });
    expect((await unary(c, { text: 'ok' })).error).toBeNull();
    expect((await unary(c, { fail: grpc.status.NOT_FOUND })).error!.code).toBe(grpc.status.NOT_FOUND);
    await settled(4);
    expect(calls.map((call) => [call.status.code, call.status.details])).toEqual([
      [0, 'OK'],
      [5, 'failed on purpose with NOT_FOUND'],
    ]);
    for (const call of calls) {
      expect(call.recording).toBe(true);
      expect(call.status.metadata).toBeInstanceOf(grpc.Metadata);
      const exported = spansOf(exporter, SpanKind.CLIENT).find((span) => span.spanId === call.spanId)!;
      expect(exported.attributes['app.response']).toBe(call.status.code);
    }
  });

  it('server requestHook(span, { path, metadata }) before the handler, responseHook(span, { code, details }) before the end', async () => {
    const requests: Array<{ spanId: string; info: GrpcServerCallInfo; recording: boolean }> = [];
    const responses: Array<{ spanId: string; status: GrpcServerStatus; recording: boolean }> = [];
    const { c, s } = await pair({
      tracer,
      requestHook: (span, info) => {
        requests.push({ spanId: span.spanContext().spanId, info, recording: span.isRecording() });
        span.setAttribute('app.request', info.path);
      },
      responseHook: (span, status) => {
        responses.push({ spanId: span.spanContext().spanId, status, recording: span.isRecording() });
        span.setAttribute('app.response', status.code);
      },
    });
    const ok = await unary(c, { text: 'ok' });
    expect((await unary(c, { fail: grpc.status.INTERNAL })).error!.code).toBe(grpc.status.INTERNAL);
    const hanging = c.serverStream({ hang: true });
    const cancelled = collect(hanging);
    await until(() => requests.length === 3);
    hanging.cancel();
    expect((await cancelled).status.code).toBe(grpc.status.CANCELLED);
    await s.cancelled(1);
    await settled(6);

    expect(requests.map((r) => r.info.path)).toEqual(['/demo.Echo/Unary', '/demo.Echo/Unary', '/demo.Echo/ServerStream']);
    const serverSpans = spansOf(exporter, SpanKind.SERVER);
    for (const r of requests) {
      expect(r.recording).toBe(true);
      const exported = serverSpans.find((span) => span.spanId === r.spanId)!;
      expect(exported.attributes['app.request']).toBe(r.info.path);
      // The incoming metadata: the caller's traceparent.
      expect(r.info.metadata.get('traceparent')).toEqual([expect.stringContaining(exported.parentSpanId!)]);
    }
    // Called before the handler: the handler runs in the span the hook saw.
    expect(ok.response!.seen!['handler']!.spanId).toBe(requests[0]!.spanId);
    expect(responses.map((r) => r.status)).toEqual([
      { code: 0, details: 'OK' },
      { code: grpc.status.INTERNAL, details: 'failed on purpose with INTERNAL' },
      { code: grpc.status.CANCELLED, details: 'cancelled by the client' },
    ]);
    for (const r of responses) {
      expect(r.recording).toBe(true);
      expect(serverSpans.find((span) => span.spanId === r.spanId)!.attributes['app.response']).toBe(r.status.code);
    }
  });

  it('throwing hooks (all four) break neither the calls nor the spans', async () => {
    const boom = () => {
      throw new Error('hook failed');
    };
    const { c } = await pair({ tracer, requestHook: boom, responseHook: boom }, { tracer, requestHook: boom, responseHook: boom });
    expect(await callAll(c)).toEqual([0, 0, 0, 0]);
    const failed = await unary(c, { fail: grpc.status.INTERNAL });
    expect(failed.error!.code).toBe(grpc.status.INTERNAL);
    await settled(10);
    const spans = exporter.getFinishedSpans();
    expect(spans.map((span) => span.attributes['rpc.grpc.status_code'])).toEqual(expect.arrayContaining([0, 0, 0, 0, 0, 0, 0, 0, 13, 13]));
    expect(spans.filter((span) => span.status.code === SpanStatusCode.ERROR)).toHaveLength(2);
    const servers = spansOf(exporter, SpanKind.SERVER);
    const clientsSpans = spansOf(exporter, SpanKind.CLIENT);
    expect(servers).toHaveLength(5);
    for (const server of servers) expect(clientsSpans.map((span) => span.spanId)).toContain(server.parentSpanId);
  });
});

describe('invalid options throw, naming the option', () => {
  const client: Array<[string, unknown]> = [
    ['grpcClientInterceptor(options)', null],
    ['grpcClientInterceptor(options)', 'options'],
    ['grpcClientInterceptor.tracer', { tracer: {} }],
    ['grpcClientInterceptor.tracer', { tracer: null }],
    ['grpcClientInterceptor.target', { target: '' }],
    ['grpcClientInterceptor.target', { target: 50051 }],
    ['grpcClientInterceptor.propagateTo', { target: 'h:1', propagateTo: 5 }],
    ['grpcClientInterceptor.propagateTo[1]', { target: 'h:1', propagateTo: ['h', null] }],
    ['grpcClientInterceptor.requestHook', { requestHook: 'hook' }],
    ['grpcClientInterceptor.responseHook', { responseHook: {} }],
  ];
  it.each(client)('%s: %p', (name, options) => {
    const make = () => grpcClientInterceptor(options as never);
    expect(make).toThrow(TracewellConfigError);
    expect(make).toThrow(`Invalid option "${name}"`);
  });

  const server: Array<[string, unknown]> = [
    ['grpcServerInterceptor(options)', null],
    ['grpcServerInterceptor(options)', 7],
    ['grpcServerInterceptor.tracer', { tracer: { startSpan: 'no' } }],
    ['grpcServerInterceptor.ignore', { ignore: 5 }],
    ['grpcServerInterceptor.ignore[1]', { ignore: [/x/, {}] }],
    ['grpcServerInterceptor.requestHook', { requestHook: true }],
    ['grpcServerInterceptor.responseHook', { responseHook: 'hook' }],
  ];
  it.each(server)('%s: %p', (name, options) => {
    const make = () => grpcServerInterceptor(options as never);
    expect(make).toThrow(TracewellConfigError);
    expect(make).toThrow(`Invalid option "${name}"`);
  });

  it('no options at all is valid on both sides', () => {
    expect(typeof grpcClientInterceptor()).toBe('function');
    expect(typeof grpcServerInterceptor()).toBe('function');
  });
});
