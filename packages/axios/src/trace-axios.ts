import type { Span } from '@tracewell/core';
import { ClientTracing, invalidOption, type ClientTracingOptions } from '@tracewell/core/instrumentation';
import type { AxiosError, AxiosInstance, AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import { restoreAdapter, runAdapterInCall } from './adapter-in-call';
import { rememberFailedAttempt, wasInjectedByUs } from './recent-injections';
import { guardRedirects, removeRedirectGuard } from './redirect-guard';
import { requestUrl } from './request-url';

/** Options of {@link traceAxios}: `tracer`, `propagateTo`, `recordQuery`, `redactQueryParams`, `recordHeaders`. */
export type TraceAxiosOptions = ClientTracingOptions;

interface Attempt {
  readonly span: Span;
  /** Headers we wrote, remembered if the attempt fails so a retry may replace them. */
  readonly injected: Readonly<Record<string, string>> | undefined;
}

// Keyed by the request config: axios hands the same object to the response interceptors
// (response.config, error.config). The config itself only gets a `beforeRedirect` hook, and
// only for the length of a call with `propagateTo` (see redirect-guard.ts).
const attempts = new WeakMap<object, Attempt>();
const instrumented = new WeakMap<AxiosInstance, () => void>();

type HeadersLike = { get?(name: string): unknown; set?(name: string, value: string): unknown } & Record<string, unknown>;

function readHeader(headers: HeadersLike, name: string): unknown {
  if (typeof headers.get === 'function') return headers.get(name);
  for (const key of Object.keys(headers)) if (key.toLowerCase() === name) return headers[key];
  return undefined;
}

/** A reader over axios's request or response headers, for `recordHeaders`. */
function headerReader(headers: unknown): ((name: string) => unknown) | undefined {
  return headers === null || typeof headers !== 'object' ? undefined : (name) => readHeader(headers as HeadersLike, name);
}

/**
 * The request's own values of the headers we are about to inject (`names`, lowercase), found in
 * one pass over its header names; undefined when it has none of them. AxiosHeaders' get and set
 * each lowercase every name of the request, which was a tenth of an unsampled call's cost; here
 * only a name as long as one of ours is lowercased.
 */
function currentValues(target: HeadersLike, names: readonly string[]): Map<string, unknown> | undefined {
  let found: Map<string, unknown> | undefined;
  for (const key of Object.keys(target)) {
    for (const name of names) {
      if (key.length === name.length && key.toLowerCase() === name) {
        (found ??= new Map()).set(name, target[key]);
        break;
      }
    }
  }
  return found;
}

/** True when a present header value may be replaced: empty, or ours from an earlier attempt. */
function isOurs(name: string, value: unknown, earlier: Readonly<Record<string, string>> | undefined): boolean {
  return value === undefined || value === null || wasInjectedByUs(name, value) || (earlier !== undefined && earlier[name] === value);
}

function writeHeader(headers: HeadersLike, name: string, value: string): void {
  if (typeof headers.set === 'function') headers.set(name, value);
  else headers[name] = value;
}

/**
 * Traces every request of an axios instance (the default export or one from `axios.create()`):
 * a CLIENT span per attempt, child of the active span, with the trace headers of that span
 * added to the request (headers you set yourself are left alone). The span records the status
 * and any failure (network error, timeout, cancellation, 4xx/5xx); the error you get is the
 * one axios raised, unchanged. Returns `eject()`, which removes the interceptors.
 *
 * A call that follows redirects is one span: `url.full` is the URL asked for, the status the
 * final response's. With `propagateTo`, every redirect hop the http adapter follows is checked
 * too: hosts outside the list lose the headers we added (never yours), allowed hosts get them
 * back. For that the call's config holds a `beforeRedirect` hook until it settles (yours, if
 * any, still runs, after ours). Redirects that `fetch` follows (`adapter: 'fetch'`) are not
 * seen: set `maxRedirects: 0` there if a redirect may leave the list.
 *
 * @example
 * const eject = traceAxios(axios, { propagateTo: [/\.internal$/] });
 * await axios.get('http://users.internal/users/42'); // carries traceparent
 */
export function traceAxios(instance: AxiosInstance, options?: TraceAxiosOptions): () => void {
  if (instance === null || (typeof instance !== 'object' && typeof instance !== 'function') || typeof instance.interceptors?.request?.use !== 'function') {
    throw invalidOption('traceAxios(instance)', 'an axios instance (the default export or one from axios.create())', instance);
  }
  const existing = instrumented.get(instance);
  if (existing !== undefined) return existing;
  const tracing = new ClientTracing(options, 'traceAxios');

  const onRequest = (config: InternalAxiosRequestConfig): InternalAxiosRequestConfig => {
    try {
      const earlier = removeRedirectGuard(config);
      // The URL is built only for a recorded span or `propagateTo`: axios builds it again itself.
      const { span, headers } = tracing.start(config.method, () => requestUrl(instance, config), headerReader(config.headers));
      let injected: Record<string, string> | undefined;
      if (headers !== undefined && config.headers != null) {
        injected = {};
        const target = config.headers as unknown as HeadersLike;
        const names = Object.keys(headers);
        const current = currentValues(target, names);
        for (const name of names) {
          const value = headers[name]!;
          if (current === undefined || !current.has(name)) {
            // No header of that name in any case: a plain property, as AxiosHeaders#set stores it.
            target[name] = value;
          } else if (isOurs(name, current.get(name), earlier)) {
            writeHeader(target, name, value);
          } else {
            continue; // the caller's own value stays
          }
          injected[name] = value;
        }
      }
      if (injected !== undefined && tracing.limitsPropagation && Object.keys(injected).length > 0) guardRedirects(config, tracing, injected);
      runAdapterInCall(config, tracing, span);
      attempts.set(config, { span, injected });
    } catch {
      // Tracing never breaks the request: it goes out untraced.
    }
    return config;
  };

  const settle = (config: object | undefined, status: number | undefined, error: unknown, responseHeaders: unknown): void => {
    if (config === undefined || config === null) return;
    const attempt = attempts.get(config);
    if (attempt === undefined) return;
    attempts.delete(config);
    removeRedirectGuard(config as InternalAxiosRequestConfig);
    restoreAdapter(config as InternalAxiosRequestConfig);
    if (error !== undefined && attempt.injected !== undefined) rememberFailedAttempt(attempt.injected);
    tracing.finish(attempt.span, status, error, headerReader(responseHeaders));
  };

  const onResponse = (response: AxiosResponse): AxiosResponse => {
    try {
      settle(response.config, response.status, undefined, response.headers);
    } catch {
      // never surfaces
    }
    return response;
  };

  const onError = (error: AxiosError): Promise<never> => {
    try {
      settle(error?.config, error?.response?.status, error, error?.response?.headers);
    } catch {
      // never surfaces
    }
    return Promise.reject(error);
  };

  const requestId = instance.interceptors.request.use(onRequest);
  const responseId = instance.interceptors.response.use(onResponse, onError);
  let ejected = false;
  const eject = (): void => {
    if (ejected) return;
    ejected = true;
    instance.interceptors.request.eject(requestId);
    instance.interceptors.response.eject(responseId);
    instrumented.delete(instance);
  };
  instrumented.set(instance, eject);
  return eject;
}
