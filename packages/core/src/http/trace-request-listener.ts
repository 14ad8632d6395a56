import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { ServerTracing, type ServerFramework, type ServerTracingOptions } from './server-tracing';

const nodeHttp: ServerFramework<IncomingMessage, ServerResponse> = {
  name: 'traceRequestListener',
  nodeRequest: (req) => req,
  nodeResponse: (res) => res,
  routeOf: () => undefined, // plain Node has no routes: spans are named by method (or spanName)
};

/**
 * Wraps a plain Node `http.createServer` listener: each request gets a SERVER span that
 * continues the caller's trace and is active while the listener runs (the counterpart of the
 * Go package's `HTTPHandler`). Name spans by route with the `spanName` option.
 *
 * @example
 * http.createServer(traceRequestListener((req, res) => res.end('ok'), { spanName: (req) => `GET ${routeOf(req.url)}` }));
 */
export function traceRequestListener(
  listener: RequestListener,
  options?: ServerTracingOptions<IncomingMessage, ServerResponse>,
): RequestListener {
  const tracing = new ServerTracing(options, nodeHttp);
  return function tracedListener(this: unknown, req: IncomingMessage, res: ServerResponse): void {
    const span = tracing.start(req, res);
    tracing.currentTracer().withSpan(span, () => listener.call(this, req, res));
  };
}
