import type { Span } from '@tracewell/core';
import { ServerTracing, type ServerFramework, type ServerTracingOptions } from '@tracewell/core/instrumentation';
import type { Context, Middleware } from 'koa';
import './context-span';

/** Options of {@link traceMiddleware}: `tracer`, `ignore`, `spanName`, `requestHook`, `responseHook` (hooks get `ctx`), `flushOnResponse`, `serverTiming`, `recordQuery`, `redactQueryParams`, `recordHeaders`. */
export type TraceMiddlewareOptions = ServerTracingOptions<Context, Context>;

const koa: ServerFramework<Context, Context> = {
  name: 'traceMiddleware',
  nodeRequest: (ctx) => ctx.req,
  nodeResponse: (ctx) => ctx.res,
  // @koa/router records the matched layer's path, prefixes of (nested) routers included.
  routeOf(ctx) {
    const route = (ctx as Context & { _matchedRoute?: string | RegExp })._matchedRoute;
    return route === undefined ? undefined : String(route);
  },
};

/**
 * Traces every request of a Koa 2 or 3 app: a SERVER span that continues the caller's trace
 * (W3C, Cloud Trace or B3 headers), named `GET /users/:id` from the @koa/router route (with
 * router prefixes), active for the downstream middleware (so `currentSpan()` and traced axios
 * calls see it), and ended when the response finishes or the client goes away. The span is
 * `ctx.span` and `ctx.state.span`. An error thrown downstream is recorded and rethrown
 * unchanged, so Koa's error handling and `app.on('error')` behave exactly as untraced.
 *
 * Register it first, or right after your own error-handling middleware: errors that a
 * middleware below it catches and answers never reach it (the 5xx status still marks the span).
 *
 * @example
 * app.use(traceMiddleware({ ignore: ['/healthz'] }));
 * router.get('/users/:id', (ctx) => {
 *   ctx.span.setAttribute('user.id', ctx.params.id);
 *   ctx.body = { ok: true };
 * });
 */
export function traceMiddleware(options?: TraceMiddlewareOptions): Middleware {
  const tracing = new ServerTracing(options, koa);
  return function tracewellMiddleware(ctx, next) {
    let span: Span;
    try {
      span = tracing.start(ctx, ctx);
      ctx.span = span;
      ctx.state.span = span;
    } catch {
      // Tracing never breaks the app: serve the request untraced.
      return next();
    }
    // An unrecorded span has no error to record: the rest runs in its context and nothing more.
    if (!span.isRecording()) return tracing.currentTracer().withSpan(span, next);
    return tracing.currentTracer().withSpan(span, () => {
      // A promise handler, not an async wrapper: one closure where `async`/`await` added a
      // promise and a microtask per request.
      const recordAndRethrow = (error: unknown): never => {
        span.recordException(error);
        throw error;
      };
      let downstream: Promise<unknown>;
      try {
        downstream = Promise.resolve(next());
      } catch (error) {
        return recordAndRethrow(error);
      }
      return downstream.then(undefined, recordAndRethrow);
    });
  };
}
