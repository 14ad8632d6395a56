import { ServerInterceptingCall, ServerListenerBuilder, type Metadata, type ServerInterceptor } from '@grpc/grpc-js';
import { getTracer, SpanKind, type MatchRules, type Span, type SpanContext, type Tracer } from '@tracewell/core';
import { compileMatcher, invalidOption } from '@tracewell/core/instrumentation';
import { GRPC_TRACE_BIN, readGrpcTraceBin } from './grpc-trace-bin';
import { metadataCarrier } from './metadata-carrier';
import { grpcMethod } from './method-path';
import { safely } from './safely';
import { finishRpcSpan, hostAndPort, NETWORK_PEER_ADDRESS, NETWORK_PEER_PORT, startAttributes } from './rpc-attributes';

/** What the server hooks see of a call. */
export interface GrpcServerCallInfo {
  /** `/package.Service/Method` */
  readonly path: string;
  /** The call's incoming metadata. */
  readonly metadata: Metadata;
}

/** The status a server call ended with (CANCELLED when the client went away). */
export interface GrpcServerStatus {
  readonly code: number;
  readonly details: string | undefined;
}

/** Options of {@link grpcServerInterceptor}. */
export interface GrpcServerTracingOptions {
  /** Tracer to use. Default: `getTracer()` at each call. */
  tracer?: Tracer;
  /**
   * Methods that get no span: `package.Service/Method` strings (exact), RegExps tested on that
   * name, or predicates (e.g. `(name) => name.startsWith('grpc.health.')`).
   */
  ignore?: MatchRules<string>;
  /** Called when a call's span starts, before the handler runs. Errors are swallowed. */
  requestHook?: (span: Span, call: GrpcServerCallInfo) => void;
  /** Called with the call's status before its span ends. Errors are swallowed. */
  responseHook?: (span: Span, status: GrpcServerStatus) => void;
}

// A cancelled call never sends a status of its own: grpc-js ends a call whose deadline passed
// the same way, so the deadline tells the two apart.
const CANCELLED = 1;
const DEADLINE_EXCEEDED = 4;

function deadlinePassed(deadline: Date | number): boolean {
  const at = deadline instanceof Date ? deadline.getTime() : deadline;
  return Number.isFinite(at) && at <= Date.now();
}

/**
 * A grpc-js server interceptor (`new Server({ interceptors: [grpcServerInterceptor()] })`):
 * every call (unary and streaming) gets a SERVER span named `package.Service/Method` that
 * continues the caller's trace, from its metadata (the tracer's propagators, W3C `traceparent`
 * by default; else `grpc-trace-bin`, the binary context of OpenCensus and Google's Go and Java
 * gRPC), and is active while the handler runs and while its messages are delivered, so calls it
 * makes (axios, fetch, gRPC, OpenTelemetry-instrumented libraries) nest under it. The span ends
 * once, with the status the server sends, or DEADLINE_EXCEEDED when the call's deadline passed,
 * or CANCELLED when the client went away; only the
 * codes that mean the server failed are errors (OpenTelemetry's server rule).
 */
export function grpcServerInterceptor(options: GrpcServerTracingOptions = {}): ServerInterceptor {
  if (options === null || typeof options !== 'object') throw invalidOption('grpcServerInterceptor(options)', 'an object', options);
  const { tracer, requestHook, responseHook } = options;
  if (tracer !== undefined && (tracer === null || typeof tracer.startSpan !== 'function')) throw invalidOption('grpcServerInterceptor.tracer', 'a Tracer', tracer);
  if (requestHook !== undefined && typeof requestHook !== 'function') throw invalidOption('grpcServerInterceptor.requestHook', 'a function (span, call) => void', requestHook);
  if (responseHook !== undefined && typeof responseHook !== 'function') throw invalidOption('grpcServerInterceptor.responseHook', 'a function (span, status) => void', responseHook);
  const ignore = compileMatcher(options.ignore, 'grpcServerInterceptor.ignore', (name: string) => name, "a method name ('package.Service/Method'), a RegExp, a function (name) => boolean, or an array of them");

  return (descriptor, call) => {
    const method = grpcMethod(descriptor.path);
    if (ignore !== undefined && ignore(method.name)) return new ServerInterceptingCall(call);
    const active = tracer ?? getTracer();
    let span: Span | undefined;
    let ended = false;
    const end = (code: number, details: string | undefined) => {
      if (span === undefined || ended) return;
      ended = true;
      const done = span;
      safely(() => {
        // A throwing hook must not keep the span from ending.
        if (responseHook !== undefined) safely(() => responseHook(done, { code, details }));
        finishRpcSpan(done, 'server', code, details);
      });
    };
    // Each step of the call runs with its span active: the handler starts inside one of them,
    // and a streaming handler's 'data' and 'end' listeners run inside the next ones.
    const inSpan = (step: () => void) => (span === undefined ? step() : active.withSpan(span, step));
    return new ServerInterceptingCall(call, {
      start(next) {
        next(
          new ServerListenerBuilder()
            .withOnReceiveMetadata((metadata, nextMetadata) => {
              try {
                // Never the context the server was started in: the caller's, or a new trace.
                const parent: SpanContext | null = active.extract(metadataCarrier(metadata)) ?? readGrpcTraceBin(metadata.get(GRPC_TRACE_BIN)[0]) ?? null;
                span = active.startSpan(method.name, { kind: SpanKind.SERVER, parent, attributes: startAttributes(method) });
                if (span.isRecording()) {
                  const peer = hostAndPort(call.getPeer());
                  if (peer !== undefined) span.setAttributes({ [NETWORK_PEER_ADDRESS]: peer.host, [NETWORK_PEER_PORT]: peer.port });
                }
                if (requestHook !== undefined) safely(() => requestHook(span!, { path: descriptor.path, metadata }));
              } catch {
                // Tracing never breaks the call: it goes on untraced.
              }
              inSpan(() => nextMetadata(metadata));
            })
            .withOnReceiveMessage((message, nextMessage) => inSpan(() => nextMessage(message)))
            .withOnReceiveHalfClose((nextHalfClose) => inSpan(() => nextHalfClose()))
            .withOnCancel(() => (deadlinePassed(call.getDeadline()) ? end(DEADLINE_EXCEEDED, 'deadline exceeded') : end(CANCELLED, 'cancelled by the client')))
            .build(),
        );
      },
      sendStatus(status, nextStatus) {
        end(status.code, status.details);
        nextStatus(status);
      },
    });
  };
}
