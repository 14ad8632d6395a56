import { InterceptingCall, type Interceptor, type Metadata, type StatusObject } from '@grpc/grpc-js';
import { getTracer, SpanKind, type MatchRules, type Span, type Tracer } from '@tracewell/core';
import { compileMatcher, invalidOption } from '@tracewell/core/instrumentation';
import { metadataCarrier } from './metadata-carrier';
import { safely } from './safely';
import { grpcMethod } from './method-path';
import { finishRpcSpan, hostAndPort, NETWORK_PEER_ADDRESS, NETWORK_PEER_PORT, SERVER_ADDRESS, SERVER_PORT, startAttributes } from './rpc-attributes';

/** What the client hooks see of a call. */
export interface GrpcClientCallInfo {
  /** `/package.Service/Method` */
  readonly path: string;
  /** The call's outgoing metadata (trace headers already added). */
  readonly metadata: Metadata;
}

/** Options of {@link grpcClientInterceptor}. */
export interface GrpcClientTracingOptions {
  /** Tracer to use. Default: `getTracer()` at each call. */
  tracer?: Tracer;
  /**
   * The client's target (`'users.internal:50051'`, as given to the client constructor): recorded
   * as `server.address` / `server.port`, and what `propagateTo` is checked against. Without it
   * the span records the peer's address once the call ends.
   */
  target?: string;
  /** Hosts that receive trace context in metadata: host names, RegExps or predicates. Needs `target`. Default: every host. */
  propagateTo?: MatchRules<string>;
  /** Called when a call's span starts (after the trace headers were added). Errors are swallowed. */
  requestHook?: (span: Span, call: GrpcClientCallInfo) => void;
  /** Called with the call's status before its span ends. Errors are swallowed. */
  responseHook?: (span: Span, status: StatusObject) => void;
}

/**
 * A grpc-js client interceptor: every call (unary and streaming) gets a CLIENT span named
 * `package.Service/Method`, child of the active span, with OpenTelemetry's RPC attributes and
 * the trace context in its metadata (the tracer's propagators: W3C `traceparent` by default).
 * The span ends once, with the call's status: any code but OK is an error for a client
 * (CANCELLED and DEADLINE_EXCEEDED included).
 *
 * @example
 * const client = new UsersClient('users.internal:50051', credentials.createInsecure(), {
 *   interceptors: [grpcClientInterceptor({ target: 'users.internal:50051' })],
 * });
 */
export function grpcClientInterceptor(options: GrpcClientTracingOptions = {}): Interceptor {
  if (options === null || typeof options !== 'object') throw invalidOption('grpcClientInterceptor(options)', 'an object', options);
  const { tracer, target, requestHook, responseHook } = options;
  if (tracer !== undefined && (tracer === null || typeof tracer.startSpan !== 'function')) throw invalidOption('grpcClientInterceptor.tracer', 'a Tracer', tracer);
  if (target !== undefined && (typeof target !== 'string' || target === '')) throw invalidOption('grpcClientInterceptor.target', "the client's target, e.g. 'users.internal:50051'", target);
  if (requestHook !== undefined && typeof requestHook !== 'function') throw invalidOption('grpcClientInterceptor.requestHook', 'a function (span, call) => void', requestHook);
  if (responseHook !== undefined && typeof responseHook !== 'function') throw invalidOption('grpcClientInterceptor.responseHook', 'a function (span, status) => void', responseHook);
  const propagateTo = compileMatcher(options.propagateTo, 'grpcClientInterceptor.propagateTo', (host: string) => host, 'a host name, a RegExp, a function (host) => boolean, or an array of them');
  if (propagateTo !== undefined && target === undefined) throw invalidOption('grpcClientInterceptor.target', "the client's target, needed with propagateTo", target);
  const server = hostAndPort(target);
  const propagates = propagateTo === undefined || (server !== undefined && propagateTo(server.host));

  return (callOptions, nextCall) => {
    const call = new InterceptingCall(nextCall(callOptions), {
      start(metadata, _listener, next) {
        let span: Span | undefined;
        try {
          const path = callOptions.method_definition.path;
          const method = grpcMethod(path);
          const active = tracer ?? getTracer();
          span = active.startSpan(method.name, { kind: SpanKind.CLIENT, attributes: startAttributes(method) });
          if (span.isRecording() && server !== undefined) span.setAttributes({ [SERVER_ADDRESS]: server.host, [SERVER_PORT]: server.port });
          if (propagates) active.inject(span, metadataCarrier(metadata));
          if (requestHook !== undefined) safely(() => requestHook(span!, { path, metadata }));
        } catch {
          // Tracing never breaks the call: it goes on untraced.
        }
        let ended = false;
        // Only the status is ours; grpc-js passes everything else on to `listener` itself.
        next(metadata, {
          onReceiveStatus(status, nextStatus) {
            if (span !== undefined && !ended) {
              ended = true;
              const done = span;
              safely(() => {
                if (server === undefined && done.isRecording()) {
                  const peer = hostAndPort(call.getPeer());
                  if (peer !== undefined) done.setAttributes({ [NETWORK_PEER_ADDRESS]: peer.host, [NETWORK_PEER_PORT]: peer.port });
                }
                // A throwing hook must not keep the span from ending.
                if (responseHook !== undefined) safely(() => responseHook(done, status));
                finishRpcSpan(done, 'client', status.code, status.details);
              });
            }
            nextStatus(status);
          },
        });
      },
    });
    return call;
  };
}
