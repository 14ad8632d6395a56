import type { ClientRequest, IncomingMessage } from 'node:http';
import { callStateOf } from './call-state';
import { subscribeAll } from './channels';
import type { ClientCalls } from './client-calls';
import { publishesRequestCreated, hookHeaderWrite } from './node20-header-hook';

function urlOf(request: ClientRequest): string {
  const host = request.getHeader('host');
  const authority = typeof host === 'string' && host !== '' ? host : request.host;
  return `${request.protocol}//${authority}${request.path}`;
}

/** Starts the span of a node:http request whose headers are not sent yet. */
function begin(calls: ClientCalls, request: ClientRequest): void {
  if (request.headersSent) return;
  calls.begin(request, request.method, () => urlOf(request), (name) => request.getHeader(name), (name, value) => request.setHeader(name, value));
  if (callStateOf(request) === undefined) return; // left untraced (suppressed, or another layer's call)
  // The last event of every request, answered or not: ends what is still open.
  request.once('close', () => calls.end(request, request.destroyed && !request.writableFinished ? new Error('request aborted') : undefined));
}

/**
 * Node's http client channels: `http.client.request.created` (Node 22 and later: before the
 * headers go out, where the trace headers are added), `http.client.response.finish` (status and
 * headers; the span ends when the response body ends) and `http.client.request.error`. `https`
 * requests are ClientRequests too. Where the created channel does not exist (Node 20), the
 * narrow hook of node20-header-hook.ts starts the span instead. Returns the unsubscribe.
 */
export function subscribeNodeHttp(calls: ClientCalls): () => void {
  const unhook = publishesRequestCreated() ? undefined : hookHeaderWrite((request) => begin(calls, request));
  const unsubscribe = subscribeAll([
    ['http.client.request.created', (message) => begin(calls, (message as { request: ClientRequest }).request)],
    [
      'http.client.response.finish',
      (message) => {
        const { request, response } = message as { request: ClientRequest; response: IncomingMessage };
        if (callStateOf(request) === undefined) return;
        calls.respond(request, response.statusCode ?? 0, (name) => response.headers[name]);
        response.once('end', () => calls.end(request));
        response.once('error', (error) => calls.end(request, error));
      },
    ],
    [
      'http.client.request.error',
      (message) => {
        const { request, error } = message as { request: ClientRequest; error: unknown };
        calls.end(request, error);
      },
    ],
  ]);
  return () => {
    unsubscribe();
    unhook?.();
  };
}
