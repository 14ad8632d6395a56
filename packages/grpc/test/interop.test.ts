import { jsonGrpcMethod, poll } from '@tracewell/conformance';
// grpcClientInterceptor and grpcServerInterceptor against a gRPC service traced by the real
// OpenTelemetry JS SDK with instrumentation-grpc (a child process: fixtures/otel-grpc-peer.js,
// as instrumentation-grpc patches @grpc/grpc-js through require hooks, which Jest bypasses).
// One trace in both directions: our CLIENT span is the parent of the peer's SERVER span, the
// peer's CLIENT span the parent of our SERVER span, and both sides agree on the RPC attributes.
import * as grpc from '@grpc/grpc-js';
import { createTracer, InMemorySpanExporter, SimpleSpanProcessor, SpanKind, SpanStatusCode, type ReadableSpan, type Span } from '@tracewell/core';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { grpcClientInterceptor, grpcServerInterceptor } from '../src';

/** A finished span of the peer, as its `GET /spans` reports it (OpenTelemetry's kinds: SERVER 1, CLIENT 2, ours too). */
interface PeerSpan {
  name: string;
  kind: number;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  attributes: Record<string, unknown>;
}

/** What demo.Echo/Unary answers: the traceparent it received; ours adds the SERVER span it ran in. */
interface EchoReply {
  traceparent: string | null;
  traceId?: string;
  spanId?: string;
}

// The peer's service definition (fixtures/otel-grpc-peer.js), without protobuf.
const ECHO = { Unary: jsonGrpcMethod('/demo.Echo/Unary'), Call: jsonGrpcMethod('/demo.Echo/Call') };
const EchoClient = grpc.makeGenericClientConstructor(ECHO, 'Echo');

// instrumentation-grpc's span names: `grpc.` and the path without its leading slash.
const OTEL_UNARY = 'grpc.demo.Echo/Unary';
const OTEL_CALL = 'grpc.demo.Echo/Call';
const PEER_SCRIPT = path.join(__dirname, 'fixtures', 'otel-grpc-peer.js');

const exporter = new InMemorySpanExporter();
const tracer = createTracer({ serviceName: 'ours', sampler: 'parentbased_always_on', spanProcessors: [new SimpleSpanProcessor(exporter)] });
let peer: ChildProcess;
let peerExited: Promise<void>;
let peerTarget: string;
let spansUrl: string;
let server: grpc.Server;
let ourTarget: string;
const clients: grpc.Client[] = [];


const peerSpans = (traceId: string, count: number): Promise<PeerSpan[]> =>
  poll(
    `${count} spans of the OpenTelemetry peer in trace ${traceId}`,
    async () => ((await (await fetch(spansUrl)).json()) as PeerSpan[]).filter((s) => s.traceId === traceId),
    (found) => found.length >= count,
  );

const ourSpans = (traceId: string, count: number): Promise<ReadableSpan[]> =>
  poll(
    `${count} of our spans in trace ${traceId}`,
    () => exporter.getFinishedSpans().filter((s) => s.traceId === traceId),
    (found) => found.length >= count,
  );

/** A client of demo.Echo at `target`, traced by our interceptor or (`traced: false`) not at all. */
function echoClient(target: string, traced: boolean): grpc.Client {
  const client = new EchoClient(target, grpc.credentials.createInsecure(), traced ? { interceptors: [grpcClientInterceptor({ tracer, target })] } : {});
  clients.push(client);
  return client;
}

/** One unary call of `name` (deadline 5 s). */
function unary<T>(client: grpc.Client, name: 'Unary' | 'Call', request: object): Promise<T> {
  const call = (client as unknown as Record<string, (req: object, md: grpc.Metadata, options: grpc.CallOptions, cb: (error: grpc.ServiceError | null, reply: T) => void) => void>)[name]!;
  return new Promise((resolve, reject) => {
    call.call(client, request, new grpc.Metadata(), { deadline: Date.now() + 5000 }, (error, reply) => (error ? reject(error) : resolve(reply)));
  });
}

/** Runs `fn` in a new root span of ours, ended once `fn` settles. */
async function inRoot<T>(fn: () => Promise<T>): Promise<{ root: Span; result: T }> {
  const root = tracer.startSpan('test root');
  try {
    return { root, result: await tracer.withSpan(root, fn) };
  } finally {
    root.end();
  }
}

function startPeer(): Promise<{ port: number; spansPort: number }> {
  peer = spawn(process.execPath, [PEER_SCRIPT], { stdio: ['pipe', 'pipe', 'inherit'] });
  peerExited = new Promise((resolve) => peer.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    peer.once('error', reject);
    peer.once('exit', (code, signal) => reject(new Error(`the OpenTelemetry gRPC peer exited before listening (code ${code}, signal ${signal})`)));
    createInterface({ input: peer.stdout! }).once('line', (line) => resolve(JSON.parse(line) as { port: number; spansPort: number }));
  });
}

beforeAll(async () => {
  const ports = await startPeer();
  peerTarget = `127.0.0.1:${ports.port}`;
  spansUrl = `http://127.0.0.1:${ports.spansPort}/spans`;
  server = new grpc.Server({ interceptors: [grpcServerInterceptor({ tracer })] });
  server.addService(ECHO, {
    Unary(call: grpc.ServerUnaryCall<unknown, EchoReply>, callback: grpc.sendUnaryData<EchoReply>) {
      const context = tracer.currentSpan()?.spanContext();
      const traceparent = call.metadata.get('traceparent')[0];
      callback(null, { traceparent: typeof traceparent === 'string' ? traceparent : null, traceId: context?.traceId, spanId: context?.spanId });
    },
    Call(_call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) {
      callback({ code: grpc.status.UNIMPLEMENTED, details: 'the peer calls, not us' });
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  ourTarget = `127.0.0.1:${port}`;
});

afterAll(async () => {
  for (const client of clients) client.close();
  server?.forceShutdown();
  if (peer?.pid !== undefined && peer.exitCode === null && peer.signalCode === null) {
    process.kill(peer.pid, 'SIGTERM'); // it shuts down and exits; SIGKILL if it has not after 2 s
    const killer = setTimeout(() => peer.exitCode === null && peer.signalCode === null && peer.pid !== undefined && process.kill(peer.pid, 'SIGKILL'), 2000);
    await peerExited;
    clearTimeout(killer);
  }
});

beforeEach(() => exporter.reset());

/** The RPC attributes both sides record, OpenTelemetry's semantic conventions. */
const rpcAttributes = (methodName: string) => ({ 'rpc.system': 'grpc', 'rpc.service': 'demo.Echo', 'rpc.method': methodName, 'rpc.grpc.status_code': 0 });

it('ours calls OpenTelemetry: the peer SERVER span continues our trace under our CLIENT span', async () => {
  const { root, result } = await inRoot(() => unary<EchoReply>(echoClient(peerTarget, true), 'Unary', {}));
  const { traceId, spanId: rootId } = root.spanContext();
  const mine = await ourSpans(traceId, 2);
  const call = mine.find((s) => s.kind === SpanKind.CLIENT)!;
  expect(call).toMatchObject({ name: 'demo.Echo/Unary', parentSpanId: rootId, attributes: expect.objectContaining(rpcAttributes('Unary')) });
  expect(result.traceparent).toMatch(new RegExp(`^00-${traceId}-${call.spanId}-0[13]$`));

  const peerTrace = await peerSpans(traceId, 1);
  expect(peerTrace).toHaveLength(1);
  expect(peerTrace[0]).toMatchObject({ name: OTEL_UNARY, kind: SpanKind.SERVER, parentSpanId: call.spanId, attributes: expect.objectContaining(rpcAttributes('Unary')) });
  expect(SpanKind.SERVER).toBe(1);
});

it('a failed call: both sides record the status code, in the same trace', async () => {
  const root = tracer.startSpan('test root');
  const error = await tracer.withSpan(root, () => unary<EchoReply>(echoClient(peerTarget, true), 'Unary', { fail: grpc.status.NOT_FOUND })).catch((e: grpc.ServiceError) => e);
  root.end();
  expect(error).toMatchObject({ code: grpc.status.NOT_FOUND });
  const { traceId } = root.spanContext();
  const call = (await ourSpans(traceId, 2)).find((s) => s.kind === SpanKind.CLIENT)!;
  // A client counts every code but OK as an error.
  expect(call.status).toEqual({ code: SpanStatusCode.ERROR, message: `failed with ${grpc.status.NOT_FOUND} as asked` });
  expect(call.attributes).toMatchObject({ 'rpc.grpc.status_code': grpc.status.NOT_FOUND, 'error.type': 'NOT_FOUND' });
  const [peerServer] = await peerSpans(traceId, 1);
  expect(peerServer).toMatchObject({ name: OTEL_UNARY, kind: SpanKind.SERVER, parentSpanId: call.spanId, attributes: expect.objectContaining({ 'rpc.grpc.status_code': grpc.status.NOT_FOUND }) });
});

it('OpenTelemetry calls ours: our SERVER span continues the peer trace under the peer CLIENT span', async () => {
  // An untraced caller: the peer's SERVER span starts the trace.
  const reply = await unary<EchoReply>(echoClient(peerTarget, false), 'Call', { target: ourTarget });
  expect(reply.traceId).toMatch(/^[0-9a-f]{32}$/);
  const traceId = reply.traceId!;
  const peerTrace = await peerSpans(traceId, 2);
  expect(peerTrace).toHaveLength(2);
  const peerServer = peerTrace.find((s) => s.kind === SpanKind.SERVER)!;
  const peerClient = peerTrace.find((s) => s.kind === SpanKind.CLIENT)!;
  expect(peerServer.name).toBe(OTEL_CALL);
  expect(peerServer.parentSpanId).toBeUndefined(); // a root
  expect(peerClient).toMatchObject({ name: OTEL_UNARY, kind: 2, parentSpanId: peerServer.spanId, attributes: expect.objectContaining(rpcAttributes('Unary')) });
  expect(reply.traceparent).toBe(`00-${traceId}-${peerClient.spanId}-01`);

  const mine = await ourSpans(traceId, 1);
  expect(mine).toHaveLength(1);
  expect(mine[0]).toMatchObject({
    name: 'demo.Echo/Unary',
    kind: SpanKind.SERVER,
    spanId: reply.spanId, // the span the handler ran in
    parentSpanId: peerClient.spanId,
    attributes: expect.objectContaining(rpcAttributes('Unary')),
  });
});

it('a round trip is one trace: ours → OpenTelemetry → ours, each span the parent of the next', async () => {
  const { root, result } = await inRoot(() => unary<EchoReply>(echoClient(peerTarget, true), 'Call', { target: ourTarget }));
  const { traceId, spanId: rootId } = root.spanContext();
  expect(result.traceId).toBe(traceId);
  const mine = await ourSpans(traceId, 3);
  expect(mine).toHaveLength(3);
  const peerTrace = await peerSpans(traceId, 2);
  expect(peerTrace).toHaveLength(2);
  const ourClient = mine.find((s) => s.kind === SpanKind.CLIENT)!;
  const ourServer = mine.find((s) => s.kind === SpanKind.SERVER)!;
  const peerServer = peerTrace.find((s) => s.kind === SpanKind.SERVER)!;
  const peerClient = peerTrace.find((s) => s.kind === SpanKind.CLIENT)!;
  // The chain, in call order.
  expect(ourClient).toMatchObject({ name: 'demo.Echo/Call', parentSpanId: rootId });
  expect(peerServer).toMatchObject({ name: OTEL_CALL, parentSpanId: ourClient.spanId, attributes: expect.objectContaining(rpcAttributes('Call')) });
  expect(peerClient).toMatchObject({ name: OTEL_UNARY, parentSpanId: peerServer.spanId });
  expect(ourServer).toMatchObject({ name: 'demo.Echo/Unary', spanId: result.spanId, parentSpanId: peerClient.spanId });
  // The peer's sampling decision (ours, sampled) is what reached our server.
  expect(result.traceparent).toBe(`00-${traceId}-${peerClient.spanId}-01`);
});
