import { performance } from 'node:perf_hooks';
import * as grpc from '@grpc/grpc-js';
import { createTracer, InMemorySpanExporter, SimpleSpanProcessor, SpanKind, type ReadableSpan, type Tracer, type TracerOptions } from '@tracewell/core';
import type { AxiosInstance } from 'axios';
import { jsonGrpcMethod } from '@tracewell/conformance';

// demo.Echo without protobuf: JSON on the wire, one definition for the server and the clients.

/** What a call asks the server to do. Streams read it from the request (server streaming) or the first message. */
export interface EchoRequest {
  text?: string;
  /** End with this gRPC status code (after `count` messages, for a server stream). */
  fail?: number;
  /** Never answer: wait until the client cancels or the deadline passes. */
  hang?: boolean;
  /** Server streaming: how many messages to send. */
  count?: number;
  /** Milliseconds to wait before answering, and between streamed messages. */
  delayMs?: number;
  /** An outgoing call to make from the handler before answering. */
  call?: 'axios' | 'fetch' | 'grpc';
  /** Start (and end) a span of its own in the handler (unary) or for this message (bidi), across a turn of the event loop. */
  nested?: boolean;
}

/** What the handler saw: the active span's ids at each step (`undefined` when none). */
export interface Seen {
  traceId?: string;
  spanId?: string;
  sampled?: boolean;
}

export interface EchoResponse {
  text?: string;
  /** Message number in a stream, from 0. */
  index?: number;
  /** Messages received (client streaming). */
  received?: number;
  /** The active span where the handler ran, after an await, in 'data' and 'end' listeners. */
  seen?: Record<string, Seen | undefined>;
  /** Ids of the span the handler started itself (`nested`). */
  nestedSpanId?: string;
  /** What the outgoing call answered. */
  outgoing?: unknown;
}

function method(name: string, requestStream: boolean, responseStream: boolean) {
  return { ...jsonGrpcMethod<EchoRequest, EchoResponse>(`/demo.Echo/${name}`, { requestStream, responseStream }), originalName: name };
}

export const echoDefinition = {
  unary: method('Unary', false, false),
  serverStream: method('ServerStream', false, true),
  clientStream: method('ClientStream', true, false),
  bidi: method('Bidi', true, true),
} satisfies grpc.ServiceDefinition;

export type MethodKey = keyof typeof echoDefinition;
export const METHOD_NAMES: Record<MethodKey, string> = { unary: 'Unary', serverStream: 'ServerStream', clientStream: 'ClientStream', bidi: 'Bidi' };

type UnaryCallback = (error: grpc.ServiceError | null, response?: EchoResponse) => void;

/** The generated-style client of demo.Echo. */
export interface EchoClient extends grpc.Client {
  unary(request: EchoRequest, metadata: grpc.Metadata, options: Partial<grpc.CallOptions>, callback: UnaryCallback): grpc.ClientUnaryCall;
  serverStream(request: EchoRequest, metadata?: grpc.Metadata, options?: Partial<grpc.CallOptions>): grpc.ClientReadableStream<EchoResponse>;
  clientStream(metadata: grpc.Metadata, options: Partial<grpc.CallOptions>, callback: UnaryCallback): grpc.ClientWritableStream<EchoRequest>;
  bidi(metadata?: grpc.Metadata, options?: Partial<grpc.CallOptions>): grpc.ClientDuplexStream<EchoRequest, EchoResponse>;
}

const EchoClientConstructor = grpc.makeGenericClientConstructor(echoDefinition, 'Echo');

export interface ClientOptions {
  interceptors?: grpc.Interceptor[];
  /** Channel options, e.g. `{ 'grpc.enable_retries': 0 }`. */
  channel?: grpc.ChannelOptions;
}

/** A client of `address` (`127.0.0.1:port`); close it with `client.close()`. */
export function echoClient(address: string, options: ClientOptions = {}): EchoClient {
  return new EchoClientConstructor(address, grpc.credentials.createInsecure(), { ...options.channel, interceptors: options.interceptors }) as unknown as EchoClient;
}

/** Epoch milliseconds on the clock spans use (monotonic, anchored to the wall clock). */
export const now = (): number => performance.timeOrigin + performance.now();

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface UnaryResult {
  error: grpc.ServiceError | null;
  response: EchoResponse | undefined;
  /** When the callback ran (span clock). */
  at: number;
}

/** A unary call as a promise that never rejects. */
export function unary(client: EchoClient, request: EchoRequest, options: { metadata?: grpc.Metadata; call?: Partial<grpc.CallOptions> } = {}): Promise<UnaryResult> {
  return new Promise((resolve) => {
    client.unary(request, options.metadata ?? new grpc.Metadata(), options.call ?? {}, (error, response) => resolve({ error, response, at: now() }));
  });
}

export interface StreamResult {
  messages: EchoResponse[];
  status: grpc.StatusObject;
  /** When each message arrived, when 'end' came (if it did) and when 'status' came (span clock). */
  dataAt: number[];
  endAt: number | undefined;
  statusAt: number;
  error: grpc.ServiceError | undefined;
}

/** Collects a readable call (server streaming or bidi) until its status. */
export function collect(call: grpc.ClientReadableStream<EchoResponse> | grpc.ClientDuplexStream<EchoRequest, EchoResponse>, onData?: (message: EchoResponse, index: number) => void): Promise<StreamResult> {
  return new Promise((resolve) => {
    const messages: EchoResponse[] = [];
    const dataAt: number[] = [];
    let endAt: number | undefined;
    let error: grpc.ServiceError | undefined;
    call.on('data', (message: EchoResponse) => {
      messages.push(message);
      dataAt.push(now());
      onData?.(message, messages.length - 1);
    });
    call.on('error', (e: grpc.ServiceError) => (error = e));
    call.on('end', () => (endAt = now()));
    call.on('status', (status: grpc.StatusObject) => {
      const statusAt = now();
      // 'end' may follow 'status' within the same turn: give it one.
      setImmediate(() => resolve({ messages, status, dataAt, endAt, statusAt, error }));
    });
  });
}

export interface ClientStreamResult extends UnaryResult {
  call: grpc.ClientWritableStream<EchoRequest>;
}

/** A client-streaming call: writes `requests` (`gapMs` apart), ends, resolves with the answer. */
export function clientStream(client: EchoClient, requests: EchoRequest[], options: { metadata?: grpc.Metadata; call?: Partial<grpc.CallOptions>; gapMs?: number; end?: boolean } = {}): { call: grpc.ClientWritableStream<EchoRequest>; result: Promise<UnaryResult> } {
  let call!: grpc.ClientWritableStream<EchoRequest>;
  const result = new Promise<UnaryResult>((resolve) => {
    call = client.clientStream(options.metadata ?? new grpc.Metadata(), options.call ?? {}, (error, response) => resolve({ error, response, at: now() }));
  });
  void (async () => {
    for (const request of requests) {
      if (options.gapMs !== undefined) await sleep(options.gapMs);
      call.write(request);
    }
    if (options.end !== false) call.end();
  })();
  return { call, result };
}

export interface Outgoing {
  /** An axios instance (traced by the test) and the URL it calls. */
  axios?: AxiosInstance;
  url?: string;
  /** A client for `call: 'grpc'`: the handler makes a plain unary call with it. */
  grpc?: EchoClient;
}

export interface EchoServerOptions {
  /** Interceptors of the server (`new grpc.Server({ interceptors })`). */
  interceptors?: grpc.ServerInterceptor[];
  /** The tracer whose active span the handlers report in `seen`. */
  tracer?: Tracer;
  /** Clients and URLs for `call`. */
  outgoing?: Outgoing;
}

/** A call the server got: its incoming metadata, and whether it was cancelled. */
export interface ReceivedCall {
  readonly method: string;
  readonly metadata: grpc.Metadata;
  cancelled: boolean;
  /** When the handler wrote its last message, or answered (span clock). */
  lastWriteAt?: number;
}

export interface EchoServer {
  readonly server: grpc.Server;
  readonly port: number;
  /** `127.0.0.1:port` */
  readonly address: string;
  readonly received: ReceivedCall[];
  /** Resolves when `n` calls have been cancelled. */
  cancelled(n?: number): Promise<void>;
  /** Shuts the server down now (`forceShutdown()`: open calls are cancelled). */
  stop(): Promise<void>;
}

function statusError(code: number): Partial<grpc.ServiceError> {
  return { code, details: `failed on purpose with ${grpc.status[code]}`, metadata: new grpc.Metadata() };
}

/** A demo.Echo server on 127.0.0.1, port 0. */
export async function startEchoServer(options: EchoServerOptions = {}): Promise<EchoServer> {
  const { tracer, outgoing } = options;
  const received: ReceivedCall[] = [];
  const cancelWaiters: Array<{ n: number; resolve: () => void }> = [];
  let cancelledCount = 0;
  const seenNow = (): Seen | undefined => {
    const span = tracer?.currentSpan();
    if (span === undefined) return undefined;
    const context = span.spanContext();
    return { traceId: context.traceId, spanId: context.spanId, sampled: context.sampled };
  };
  const track = (method: string, call: { metadata: grpc.Metadata; on(event: 'cancelled', listener: () => void): unknown }): ReceivedCall => {
    const entry: ReceivedCall = { method, metadata: call.metadata, cancelled: false };
    received.push(entry);
    call.on('cancelled', () => {
      entry.cancelled = true;
      cancelledCount++;
      for (const waiter of cancelWaiters.splice(0)) {
        if (cancelledCount >= waiter.n) waiter.resolve();
        else cancelWaiters.push(waiter);
      }
    });
    return entry;
  };
  const callOut = async (kind: EchoRequest['call']): Promise<unknown> => {
    if (kind === 'axios') return (await outgoing!.axios!.get(outgoing!.url!)).data;
    if (kind === 'fetch') return (await fetch(outgoing!.url!)).json();
    if (kind === 'grpc') {
      const result = await unary(outgoing!.grpc!, { text: 'nested' });
      if (result.error !== null) throw result.error;
      return result.response;
    }
    return undefined;
  };
  const nestedSpan = async (): Promise<string | undefined> => {
    if (tracer === undefined) return undefined;
    return tracer.startActiveSpan('handler-work', async (span) => {
      await sleep(Math.random() * 3);
      return span.spanContext().spanId;
    });
  };

  const server = new grpc.Server({ interceptors: options.interceptors });
  server.addService(echoDefinition, {
    unary: (call: grpc.ServerUnaryCall<EchoRequest, EchoResponse>, callback: grpc.sendUnaryData<EchoResponse>) => {
      const entry = track('Unary', call);
      const request = call.request;
      const seen: Record<string, Seen | undefined> = { handler: seenNow() };
      void (async () => {
        await sleep(request.delayMs ?? 0);
        seen['afterTimer'] = seenNow();
        await Promise.resolve();
        seen['afterAwait'] = seenNow();
        if (request.hang === true) return; // the client's deadline or cancel ends it
        if (request.fail !== undefined) {
          entry.lastWriteAt = now();
          return callback(statusError(request.fail));
        }
        const response: EchoResponse = { text: request.text, seen };
        try {
          if (request.nested === true) response.nestedSpanId = await nestedSpan();
          if (request.call !== undefined) response.outgoing = await callOut(request.call);
        } catch (error) {
          return callback({ code: grpc.status.INTERNAL, details: String(error) });
        }
        seen['beforeAnswer'] = seenNow();
        entry.lastWriteAt = now();
        callback(null, response);
      })();
    },

    serverStream: (call: grpc.ServerWritableStream<EchoRequest, EchoResponse>) => {
      const entry = track('ServerStream', call);
      const request = call.request;
      void (async () => {
        for (let index = 0; index < (request.count ?? 0); index++) {
          if (request.delayMs !== undefined) await sleep(request.delayMs);
          if (entry.cancelled) return;
          call.write({ index, text: request.text, seen: { write: seenNow() } });
          entry.lastWriteAt = now();
        }
        if (request.hang === true) return;
        if (request.fail !== undefined) return void call.emit('error', statusError(request.fail));
        call.end();
      })();
    },

    clientStream: (call: grpc.ServerReadableStream<EchoRequest, EchoResponse>, callback: grpc.sendUnaryData<EchoResponse>) => {
      const entry = track('ClientStream', call);
      const seen: Record<string, Seen | undefined> = { handler: seenNow() };
      let first: EchoRequest | undefined;
      let count = 0;
      call.on('data', (message: EchoRequest) => {
        seen[`data${count}`] = seenNow();
        first ??= message;
        count++;
      });
      call.on('end', () => {
        seen['end'] = seenNow();
        void (async () => {
          await sleep(first?.delayMs ?? 0);
          seen['afterAwait'] = seenNow();
          if (first?.hang === true) return;
          entry.lastWriteAt = now();
          if (first?.fail !== undefined) return callback(statusError(first.fail));
          callback(null, { received: count, text: first?.text, seen });
        })();
      });
    },

    bidi: (call: grpc.ServerDuplexStream<EchoRequest, EchoResponse>) => {
      const entry = track('Bidi', call);
      let first: EchoRequest | undefined;
      let index = 0;
      const handlerSeen = seenNow();
      call.on('data', (message: EchoRequest) => {
        first ??= message;
        const seen: Record<string, Seen | undefined> = { handler: handlerSeen, data: seenNow() };
        // `nested`: a span for the message, started in the 'data' listener, answered after a turn.
        const span = message.nested === true ? tracer?.startSpan('bidi-message') : undefined;
        const i = index++;
        setTimeout(() => {
          span?.end();
          if (entry.cancelled) return;
          call.write({ index: i, text: message.text, seen, nestedSpanId: span?.spanContext().spanId });
          entry.lastWriteAt = now();
        }, Math.random() * 3);
      });
      call.on('end', () => {
        // After the answers to every message (each is at most 3 ms late).
        setTimeout(() => {
          if (first?.hang === true) return;
          if (first?.fail !== undefined) return void call.emit('error', statusError(first.fail));
          call.end();
        }, (first?.delayMs ?? 0) + 10);
      });
    },
  });

  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound)));
  });
  return {
    server,
    port,
    address: `127.0.0.1:${port}`,
    received,
    cancelled: (n = 1) => (cancelledCount >= n ? Promise.resolve() : new Promise<void>((resolve) => cancelWaiters.push({ n, resolve }))),
    stop: async () => {
      server.forceShutdown();
    },
  };
}

/** A tracer recording into memory, every new trace sampled. */
export function memoryTracer(options: TracerOptions = {}): { tracer: Tracer; exporter: InMemorySpanExporter } {
  const exporter = new InMemorySpanExporter();
  const tracer = createTracer({ sampler: 'parentbased_always_on', spanProcessors: [new SimpleSpanProcessor(exporter)], ...options });
  return { tracer, exporter };
}

/** Waits until `check()` holds (spans end on events that may come after the caller has its answer), at most ~3 s. */
export async function until(check: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check() && Date.now() < deadline) await sleep(5);
}

export const spansOf = (exporter: InMemorySpanExporter, kind: SpanKind): ReadableSpan[] => exporter.getFinishedSpans().filter((span) => span.kind === kind);

/** W3C `traceparent` of a span context. */
export function traceparentOf(traceId: string, spanId: string, sampled = true): string {
  return `00-${traceId}-${spanId}-${sampled ? '01' : '00'}`;
}
