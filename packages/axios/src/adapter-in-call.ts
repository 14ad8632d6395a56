import type { Span } from '@tracewell/core';
import type { ClientTracing } from '@tracewell/core/instrumentation';
import axios, { type AxiosAdapter, type InternalAxiosRequestConfig } from 'axios';

// Our wrapper remembers the adapter setting it replaced: a retry that reuses the config (axios-retry
// calls `axios(config)` again) is unwrapped first, so wrappers never nest and a retry never runs
// inside the span of the attempt before it.
const ORIGINAL = Symbol('tracewell.axios.adapter');
type Wrapped = AxiosAdapter & { [ORIGINAL]?: InternalAxiosRequestConfig['adapter'] };

/**
 * Makes the attempt's adapter (http, fetch, xhr, or the user's own) run with the attempt's span
 * active, so the request it makes is known to be this call (`isCallInFlight`): the node:http and
 * fetch instrumentation of `@tracewell/http-client` then leave it alone, and a call is one span,
 * never two. Needs axios's `getAdapter` (axios 1.6 and later); without it nothing changes.
 */
export function runAdapterInCall(config: InternalAxiosRequestConfig, tracing: ClientTracing, span: Span): void {
  const getAdapter = (axios as { getAdapter?: (adapter: InternalAxiosRequestConfig['adapter']) => AxiosAdapter }).getAdapter;
  if (typeof getAdapter !== 'function') return;
  const current = config.adapter as Wrapped | undefined;
  const setting = typeof current === 'function' && ORIGINAL in current ? current[ORIGINAL] : current;
  let adapter: AxiosAdapter;
  try {
    adapter = getAdapter(setting ?? axios.defaults.adapter);
  } catch {
    // No such adapter here: axios itself raises that error when it dispatches; leave it to it.
    return;
  }
  const wrapped: Wrapped = (attemptConfig) => tracing.runInCall(span, () => adapter(attemptConfig));
  wrapped[ORIGINAL] = setting;
  config.adapter = wrapped;
}

/** Puts back the adapter setting {@link runAdapterInCall} replaced, once the call settled (response.config, error.config). */
export function restoreAdapter(config: InternalAxiosRequestConfig): void {
  const current = config.adapter as Wrapped | undefined;
  if (typeof current === 'function' && ORIGINAL in current) config.adapter = current[ORIGINAL];
}
