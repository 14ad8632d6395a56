import { getTracer, type Tracer } from '@tracewell/core';
import { ClientTracing, isCallInFlight, isTracingSuppressed, type ClientTracingOptions } from '@tracewell/core/instrumentation';
import { callStateOf, leaveUntraced, startCall, wasSeen } from './call-state';

/**
 * The span of each outgoing request, whichever client made it: started when the request is
 * created (its trace headers added then), ended once, when it completes or fails. A request is
 * left alone when tracing is suppressed (an exporter's own upload) or when it is the transport
 * of a call already traced at its own level (axios under `traceAxios`).
 */
export class ClientCalls {
  private readonly tracing: ClientTracing;

  constructor(
    options: ClientTracingOptions | undefined,
    private readonly tracer: Tracer | undefined,
  ) {
    this.tracing = new ClientTracing(options, 'traceHttpClients');
  }

  /**
   * A request was created and its headers can still change: starts its span and adds the
   * trace headers the caller did not set (`hasHeader`, `addHeader` are the client's own).
   * `url` is computed only when the span or `propagateTo` reads it (see `ClientTracing.start`).
   */
  begin(request: object, method: string | undefined, url: () => string, readHeader: (name: string) => unknown, addHeader: (name: string, value: string) => void): void {
    if (wasSeen(request)) return;
    const tracer = this.tracer ?? getTracer();
    if (isTracingSuppressed(tracer) || isCallInFlight(tracer.currentSpan())) {
      leaveUntraced(request);
      return;
    }
    const { span, headers } = this.tracing.start(method, url, readHeader);
    startCall(request, span);
    if (headers === undefined) return;
    for (const name of Object.keys(headers)) {
      if (readHeader(name) === undefined) addHeader(name, headers[name]!);
    }
  }

  /** The response's status and headers arrived. */
  respond(request: object, status: number, readHeader: (name: string) => unknown): void {
    const state = callStateOf(request);
    if (state === undefined) return;
    state.status = status;
    state.responseHeader = readHeader;
  }

  /** The request completed (`error` undefined) or failed; only the first call counts. */
  end(request: object, error?: unknown): void {
    const state = callStateOf(request);
    if (state === undefined || state.ended) return;
    state.ended = true;
    this.tracing.finish(state.span, state.status, error, state.responseHeader);
  }
}
