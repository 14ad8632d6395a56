import { ServerTracing, type ServerFramework, type ServerTracingOptions } from '@tracewell/core/instrumentation';
import type { Request, RequestHandler, Response } from 'express';
import { watchErrorsOf, watchRequest } from './error-capture';
import './request-span';

/** Options of {@link traceMiddleware}: `tracer`, `ignore`, `spanName`, `requestHook`, `responseHook`, `flushOnResponse`, `serverTiming`, `recordQuery`, `redactQueryParams`, `recordHeaders`. */
export type TraceMiddlewareOptions = ServerTracingOptions<Request, Response>;

function routePath(path: unknown): string | undefined {
  if (typeof path === 'string') return path;
  if (path instanceof RegExp) return String(path);
  if (Array.isArray(path)) return path.map(String).join(',');
  return undefined;
}

const express: ServerFramework<Request, Response> = {
  name: 'traceMiddleware',
  nodeRequest: (req) => req,
  nodeResponse: (res) => res,
  // The route template of the matched route, after the mount paths of the routers it sits in.
  routeOf(req) {
    const path = routePath((req.route as { path?: unknown } | undefined)?.path);
    return path === undefined ? undefined : `${req.baseUrl ?? ''}${path}`;
  },
};

/**
 * Traces every request of an Express 4 or 5 app: a SERVER span that continues the caller's
 * trace (W3C, Cloud Trace or B3 headers), named `GET /users/:id` once a route matches, active
 * for the rest of the request (so `currentSpan()` and traced axios calls see it), and ended
 * when the response finishes or the client goes away. The span is `req.span` in every handler.
 * Errors thrown by handlers, rejected by async handlers (Express 5) or passed to `next(err)`
 * are recorded on it and reach your error handlers unchanged.
 *
 * Register it before your routes.
 *
 * @example
 * app.use(traceMiddleware({ ignore: ['/healthz'] }));
 * app.get('/users/:id', (req, res) => {
 *   req.span.setAttribute('user.id', req.params.id);
 *   res.json({ ok: true });
 * });
 */
export function traceMiddleware(options?: TraceMiddlewareOptions): RequestHandler {
  const tracing = new ServerTracing(options, express);
  // The app whose router is already watched: one comparison per request instead of a lookup.
  let watchedApp: unknown;
  return function tracewellMiddleware(req, res, next) {
    let span;
    try {
      span = tracing.start(req, res);
      req.span = span;
      watchRequest(req, span);
      if (req.app !== watchedApp) {
        watchedApp = req.app;
        watchErrorsOf(req.app);
      }
    } catch {
      // Tracing never breaks the app: serve the request untraced.
      next();
      return;
    }
    tracing.currentTracer().withSpan(span, next);
  };
}
