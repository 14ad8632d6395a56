import { invalidOption, type ClientTracingOptions } from '@tracewell/core/instrumentation';
import { ClientCalls } from './client-calls';
import { subscribeNodeHttp } from './node-http-channels';
import { subscribeUndici } from './undici-channels';

/** Options of {@link traceHttpClients}: `tracer`, `propagateTo`, `recordQuery`, `redactQueryParams`, `recordHeaders`, as for `traceAxios`. */
export type TraceHttpClientsOptions = ClientTracingOptions;

let active: (() => void) | undefined;

/**
 * Traces every outgoing HTTP request of the process made with the global `fetch`, the `undici`
 * package or `http`/`https` `request`/`get` (and the libraries built on them): a CLIENT span
 * per request, child of the active span, with the trace headers added on the request itself
 * (headers the caller set are left alone). Built on `diagnostics_channel`: no require hooks,
 * nothing to import first (on Node 20, one method of `http.ClientRequest` is wrapped, see the
 * README). Requests made while tracing is suppressed (exporters) and the transport of a call
 * traced at its own level (axios under `traceAxios`) get no second span.
 *
 * Returns the off switch. While on, a second call returns that same switch (its options are
 * not used).
 *
 * @example
 * const off = traceHttpClients({ propagateTo: [/\.internal$/] });
 * await fetch('http://users.internal/users/42'); // a span, and a traceparent header
 */
export function traceHttpClients(options?: TraceHttpClientsOptions): () => void {
  if (active !== undefined) return active;
  if (options !== undefined && (options === null || typeof options !== 'object')) throw invalidOption('traceHttpClients(options)', 'an object', options);
  const calls = new ClientCalls(options, options?.tracer);
  const unsubscribe = [subscribeUndici(calls), subscribeNodeHttp(calls)];
  const off = (): void => {
    if (active !== off) return;
    active = undefined;
    for (const undo of unsubscribe) undo();
  };
  active = off;
  return off;
}
