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
  // What the listener returns is returned (a rejected promise still reaches Node's
  // captureRejections, or whatever wraps this listener), and what it throws or rejects with is
  // recorded on the span, then handed on unchanged, as the framework adapters do. The status
  // comes from the response, as for them.
  return function tracedListener(this: unknown, req: IncomingMessage, res: ServerResponse): unknown {
    const span = tracing.start(req, res);
    return tracing.currentTracer().withSpan(span, () => {
      let result: unknown;
      try {
        result = (listener as (this: unknown, req: IncomingMessage, res: ServerResponse) => unknown).call(this, req, res);
      } catch (error) {
        span.recordException(error);
        throw error;
      }
      if (result !== null && typeof result === 'object' && typeof (result as PromiseLike<unknown>).then === 'function') {
        return (result as Promise<unknown>).then(undefined, (error: unknown) => {
          span.recordException(error);
          throw error;
        });
      }
      return result;
    });
  } as RequestListener;
}
