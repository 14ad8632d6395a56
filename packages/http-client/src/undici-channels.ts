import { subscribeAll } from './channels';
import type { ClientCalls } from './client-calls';
import { undiciHeaderReader } from './header-readers';

/** The fields of undici's request object that its diagnostics channels hand over and we read. */
interface UndiciRequest {
  readonly origin?: unknown;
  readonly path?: unknown;
  readonly method?: unknown;
  readonly headers?: unknown;
  addHeader?(name: string, value: string): unknown;
}

interface UndiciResponse {
  readonly statusCode?: unknown;
  readonly headers?: unknown;
}

function urlOf(request: UndiciRequest): string {
  const origin = request.origin instanceof URL ? request.origin.origin : typeof request.origin === 'string' ? request.origin : '';
  return `${origin.replace(/\/$/, '')}${typeof request.path === 'string' ? request.path : ''}`;
}

/**
 * undici's request lifecycle channels. The global `fetch` (Node's bundled undici) and the
 * `undici` package (its `request`, `fetch`, `Client`, `Pool`, `Agent`) publish on them, once
 * per request: each redirect hop `fetch` follows is its own request, and gets its own
 * `propagateTo` decision. Returns the unsubscribe.
 */
export function subscribeUndici(calls: ClientCalls): () => void {
  const onCreate = (message: unknown): void => {
    const request = (message as { request?: UndiciRequest }).request;
    if (request === undefined || typeof request.addHeader !== 'function') return;
    calls.begin(request, typeof request.method === 'string' ? request.method : undefined, () => urlOf(request), undiciHeaderReader(request.headers), (name, value) => request.addHeader!(name, value));
  };
  const onHeaders = (message: unknown): void => {
    const { request, response } = message as { request?: UndiciRequest; response?: UndiciResponse };
    if (request === undefined || typeof response?.statusCode !== 'number') return;
    calls.respond(request, response.statusCode, undiciHeaderReader(response.headers));
  };
  const onTrailers = (message: unknown): void => {
    const { request } = message as { request?: UndiciRequest };
    if (request !== undefined) calls.end(request);
  };
  const onError = (message: unknown): void => {
    const { request, error } = message as { request?: UndiciRequest; error?: unknown };
    if (request !== undefined) calls.end(request, error ?? new Error('request failed'));
  };
  return subscribeAll([
    ['undici:request:create', onCreate],
    ['undici:request:headers', onHeaders],
    ['undici:request:trailers', onTrailers],
    ['undici:request:error', onError],
  ]);
}
