import * as grpc from '@grpc/grpc-js';
import { randomSpanId, randomTraceId, SpanKind, TracewellConfigError, type MatchRules, type ReadableSpan } from '@tracewell/core';
import { grpcClientInterceptor, grpcServerInterceptor, GRPC_TRACE_BIN } from '../src';
import { echoClient, memoryTracer, spansOf, startEchoServer, traceparentOf, unary, until, type EchoClient, type EchoServer, type UnaryResult } from './support/echo-service';

// Trace context in metadata: what the client sends (the tracer's formats, to allowed targets
// only) and what the server reads (the tracer's formats, then OpenCensus grpc-trace-bin).

const { tracer, exporter } = memoryTracer();

let recorder: EchoServer; // no interceptor: records the metadata exactly as sent
let traced: EchoServer; // our server interceptor
let plain: EchoClient; // no interceptor
const clients: EchoClient[] = [];

beforeAll(async () => {
  recorder = await startEchoServer();
  traced = await startEchoServer({ tracer, interceptors: [grpcServerInterceptor({ tracer })] });
  plain = echoClient(traced.address);
});
afterAll(() => {
  for (const c of [plain, ...clients]) c.close();
  recorder.server.forceShutdown();
  traced.server.forceShutdown();
});
beforeEach(() => exporter.reset());

function tracedClient(address: string, options: Parameters<typeof grpcClientInterceptor>[0]): EchoClient {
  const c = echoClient(address, { interceptors: [grpcClientInterceptor(options)] });
  clients.push(c);
  return c;
}

/** The metadata keys the recorder got for one call made by `c`, in the active span `parent`. */
async function keysReceived(c: EchoClient): Promise<{ keys: string[]; metadata: grpc.Metadata; clientSpan: ReadableSpan | undefined }> {
  const before = recorder.received.length;
  exporter.reset();
  const r = await tracer.startActiveSpan('parent', () => unary(c, { text: 'x' }));
  expect(r.error).toBeNull();
  expect(recorder.received).toHaveLength(before + 1);
  const { metadata } = recorder.received[before]!;
  await until(() => exporter.getFinishedSpans().length >= 1);
  return { keys: Object.keys(metadata.getMap()).sort(), metadata, clientSpan: spansOf(exporter, SpanKind.CLIENT)[0] };
}

let baseline: string[];
beforeAll(async () => {
  const untraced = echoClient(recorder.address);
  clients.push(untraced);
  baseline = (await keysReceived(untraced)).keys;
  expect(baseline).not.toContain('traceparent');
});

const added = (keys: string[]) => keys.filter((k) => !baseline.includes(k)).sort();
const expectTraceparent = (metadata: grpc.Metadata, span: ReadableSpan) =>
  expect(metadata.get('traceparent')).toEqual([expect.stringMatching(new RegExp(`^00-${span.traceId}-${span.spanId}-0[13]$`))]);

describe('the client sends the tracer’s formats', () => {
  it('default formats: traceparent and x-cloud-trace-context of the CLIENT span, nothing else', async () => {
    const { keys, metadata, clientSpan } = await keysReceived(tracedClient(recorder.address, { tracer }));
    expect(added(keys)).toEqual(['traceparent', 'x-cloud-trace-context']);
    expectTraceparent(metadata, clientSpan!);
    expect(metadata.get('x-cloud-trace-context')).toEqual([`${clientSpan!.traceId}/${BigInt(`0x${clientSpan!.spanId}`).toString(10)};o=1`]);
    expect(metadata.get(GRPC_TRACE_BIN)).toEqual([]); // read, never written
  });

  it('configured formats (tracecontext, b3, b3multi) are all sent', async () => {
    const { tracer: b3Tracer, exporter: b3Exporter } = memoryTracer({ propagators: ['tracecontext', 'b3', 'b3multi'] });
    const before = recorder.received.length;
    const r = await b3Tracer.startActiveSpan('parent', () => unary(tracedClient(recorder.address, { tracer: b3Tracer }), {}));
    expect(r.error).toBeNull();
    const { metadata } = recorder.received[before]!;
    await until(() => b3Exporter.getFinishedSpans().length === 2);
    const span = b3Exporter.getFinishedSpans().find((s) => s.kind === SpanKind.CLIENT)!;
    expect(added(Object.keys(metadata.getMap()))).toEqual(['b3', 'traceparent', 'x-b3-sampled', 'x-b3-spanid', 'x-b3-traceid']);
    expectTraceparent(metadata, span);
    expect(metadata.get('b3')).toEqual([`${span.traceId}-${span.spanId}-1`]);
    expect(metadata.get('x-b3-traceid')).toEqual([span.traceId]);
    expect(metadata.get('x-b3-spanid')).toEqual([span.spanId]);
  });

  it('the server interceptor continues what the client interceptor sends', async () => {
    const r = await tracer.startActiveSpan('parent', () => unary(tracedClient(traced.address, { tracer }), {}));
    expect(r.error).toBeNull();
    await until(() => exporter.getFinishedSpans().length === 3);
    const [clientSpan] = spansOf(exporter, SpanKind.CLIENT);
    const [serverSpan] = spansOf(exporter, SpanKind.SERVER);
    expect(serverSpan!.traceId).toBe(clientSpan!.traceId);
    expect(serverSpan!.parentSpanId).toBe(clientSpan!.spanId);
  });
});

describe('propagateTo (with target)', () => {
  const allowed: Array<[string, MatchRules<string>]> = [
    ['a host name', '127.0.0.1'],
    ['a RegExp', /^127\./],
    ['a predicate', (host: string) => host === '127.0.0.1'],
    ['an array with a match', ['users.internal', /^127\.0\.0\.1$/]],
  ];
  it.each(allowed)('allowed by %s: the trace headers are sent', async (_label, propagateTo) => {
    const { keys, metadata, clientSpan } = await keysReceived(tracedClient(recorder.address, { tracer, target: recorder.address, propagateTo }));
    expect(added(keys)).toEqual(['traceparent', 'x-cloud-trace-context']);
    expectTraceparent(metadata, clientSpan!);
  });

  const disallowed: Array<[string, MatchRules<string>]> = [
    ['another host name', 'users.internal'],
    ['a RegExp that does not match', /\.internal$/],
    ['a predicate that says no', () => false],
    ['a predicate that throws', () => {
      throw new Error('boom');
    }],
    ['an empty array', []],
  ];
  it.each(disallowed)('disallowed by %s: no trace header at all (same keys as an untraced client), the span is still recorded', async (_label, propagateTo) => {
    const { keys, clientSpan } = await keysReceived(tracedClient(recorder.address, { tracer, target: recorder.address, propagateTo }));
    expect(keys).toEqual(baseline);
    expect(clientSpan!.name).toBe('demo.Echo/Unary');
  });

  it("a grpc-js target URI ('dns:127.0.0.1:port') is matched on its host", async () => {
    const target = `dns:${recorder.address}`;
    const { keys, clientSpan } = await keysReceived(tracedClient(target, { tracer, target, propagateTo: '127.0.0.1' }));
    expect(added(keys)).toEqual(['traceparent', 'x-cloud-trace-context']);
    expect(clientSpan!.attributes['server.address']).toBe('127.0.0.1');
    expect(clientSpan!.attributes['server.port']).toBe(recorder.port);
  });

  it('propagateTo without target throws, naming grpcClientInterceptor.target', () => {
    expect(() => grpcClientInterceptor({ tracer, propagateTo: '127.0.0.1' })).toThrow(TracewellConfigError);
    expect(() => grpcClientInterceptor({ tracer, propagateTo: '127.0.0.1' })).toThrow(/"grpcClientInterceptor\.target"/);
  });
});

/** OpenCensus binary context: version 0, trace id (field 0), span id (field 1), options (field 2). */
function traceBin(traceId: string, spanId: string, options = 1): Buffer {
  return Buffer.concat([Buffer.from([0]), Buffer.from([0]), Buffer.from(traceId, 'hex'), Buffer.from([1]), Buffer.from(spanId, 'hex'), Buffer.from([2]), Buffer.from([options])]);
}

/** One call to the traced server from the plain client with `set` metadata; the server span, if any. */
async function sendPlain(set: Record<string, string | Buffer>): Promise<{ r: UnaryResult; serverSpan: ReadableSpan | undefined }> {
  exporter.reset();
  const sampledBefore = tracer.stats().spansSampled;
  const metadata = new grpc.Metadata();
  for (const [key, value] of Object.entries(set)) metadata.set(key, value);
  const r = await unary(plain, { text: 'x' }, { metadata });
  expect(r.error).toBeNull();
  // Every span that records (none for an unsampled trace) has ended.
  await until(() => exporter.getFinishedSpans().length >= tracer.stats().spansSampled - sampledBefore);
  return { r, serverSpan: spansOf(exporter, SpanKind.SERVER)[0] };
}

describe('grpc-trace-bin (read by the server)', () => {
  it('continues a sampled context sent by a client without our interceptor', async () => {
    const traceId = randomTraceId();
    const spanId = randomSpanId();
    const { r, serverSpan } = await sendPlain({ [GRPC_TRACE_BIN]: traceBin(traceId, spanId, 1) });
    expect(serverSpan!.traceId).toBe(traceId);
    expect(serverSpan!.parentSpanId).toBe(spanId);
    expect(serverSpan!.parentIsRemote).toBe(true);
    expect(serverSpan!.spanContext().sampled).toBe(true);
    expect(r.response!.seen!['handler']).toEqual({ traceId, spanId: serverSpan!.spanId, sampled: true });
  });

  it('a value with more fields after the options (a later version of the layout) is still read', async () => {
    const traceId = randomTraceId();
    const spanId = randomSpanId();
    const { serverSpan } = await sendPlain({ [GRPC_TRACE_BIN]: Buffer.concat([traceBin(traceId, spanId, 1), Buffer.from([3, 9, 9])]) });
    expect(serverSpan!.traceId).toBe(traceId);
    expect(serverSpan!.parentSpanId).toBe(spanId);
  });

  it.each([
    ['options 0', (t: string, s: string) => traceBin(t, s, 0)],
    ['no options field', (t: string, s: string) => traceBin(t, s).subarray(0, 27)],
  ])('%s: the trace is continued unsampled (no span recorded, the handler sees the trace)', async (_label, build) => {
    const traceId = randomTraceId();
    const spanId = randomSpanId();
    const { r, serverSpan } = await sendPlain({ [GRPC_TRACE_BIN]: build(traceId, spanId) });
    expect(serverSpan).toBeUndefined();
    expect(r.response!.seen!['handler']).toEqual({ traceId, spanId: expect.stringMatching(/^[0-9a-f]{16}$/), sampled: false });
  });

  const traceId = 'a1'.repeat(16);
  const spanId = 'b2'.repeat(8);
  const good = traceBin(traceId, spanId);
  const malformed: Array<[string, Buffer]> = [
    ['wrong version', Buffer.concat([Buffer.from([1]), good.subarray(1)])],
    ['short (20 bytes)', good.subarray(0, 20)],
    ['short (26 bytes, span id cut)', good.subarray(0, 26)],
    ['empty', Buffer.alloc(0)],
    ['zero trace id', traceBin('0'.repeat(32), spanId)],
    ['zero span id', traceBin(traceId, '0'.repeat(16))],
    ['fields out of order (span id first)', Buffer.concat([Buffer.from([0, 1]), Buffer.from(spanId, 'hex'), Buffer.from([0]), Buffer.from(traceId, 'hex'), Buffer.from([2, 1])])],
    ['options before the span id', Buffer.concat([Buffer.from([0, 0]), Buffer.from(traceId, 'hex'), Buffer.from([2, 1, 1]), Buffer.from(spanId, 'hex')])],
    ['wrong field id for the trace id', Buffer.concat([Buffer.from([0, 7]), good.subarray(2)])],
    ['random bytes', Buffer.from('9f00ff12ab34cd56ef7890aa55bb66cc77dd88ee99ff0011223344', 'hex')],
  ];
  it.each(malformed)('%s: a new trace, the call succeeds', async (_label, value) => {
    const { serverSpan } = await sendPlain({ [GRPC_TRACE_BIN]: value });
    expect(serverSpan).toBeDefined();
    expect(serverSpan!.traceId).not.toBe(traceId);
    expect(serverSpan!.parentSpanId).toBeUndefined();
    expect(serverSpan!.attributes['rpc.grpc.status_code']).toBe(0);
  });

  it('traceparent wins over grpc-trace-bin when both are present', async () => {
    const w3cTrace = randomTraceId();
    const w3cSpan = randomSpanId();
    const { serverSpan } = await sendPlain({ traceparent: traceparentOf(w3cTrace, w3cSpan), [GRPC_TRACE_BIN]: traceBin(randomTraceId(), randomSpanId()) });
    expect(serverSpan!.traceId).toBe(w3cTrace);
    expect(serverSpan!.parentSpanId).toBe(w3cSpan);
  });

  it('an invalid traceparent falls back to grpc-trace-bin', async () => {
    const binTrace = randomTraceId();
    const binSpan = randomSpanId();
    const { serverSpan } = await sendPlain({ traceparent: '00-nonsense-01', [GRPC_TRACE_BIN]: traceBin(binTrace, binSpan) });
    expect(serverSpan!.traceId).toBe(binTrace);
    expect(serverSpan!.parentSpanId).toBe(binSpan);
  });

  it('without any context the server starts a new trace (never the context it was started in)', async () => {
    const outer = tracer.startSpan('ambient');
    const { serverSpan } = await tracer.withSpan(outer, () => sendPlain({}));
    outer.end();
    expect(serverSpan!.parentSpanId).toBeUndefined();
    expect(serverSpan!.traceId).not.toBe(outer.spanContext().traceId);
  });
});
