import type { Span } from '@tracewell/core';

// Express has no hook for "a handler failed": errors travel through the router's internal
// next(err). To record them at their source (a throw, a rejected promise in Express 5, or
// next(err)) and still hand them on unchanged, the router's Layer gets one wrapper around the
// method that calls each handler, found through the app's own router (no require hooks).

interface RequestErrors {
  readonly span: Span;
  recorded: unknown;
}

type HandleRequest = (this: unknown, req: object, res: unknown, next: (error?: unknown) => unknown) => unknown;

// A recorded request's state rides on the request under a symbol (no WeakMap entry per
// request). Untraced and unsampled requests carry none.
const ERRORS = Symbol('tracewell.requestErrors');
type WatchedRequest = object & { [ERRORS]?: RequestErrors };
const wrappedPrototypes = new WeakSet<object>();

/** Remembers the span of a request so its handlers' errors can be recorded on it. */
export function watchRequest(req: object, span: Span): void {
  if (span.isRecording()) (req as WatchedRequest)[ERRORS] = { span, recorded: undefined };
}

function noteError(state: RequestErrors, error: unknown): void {
  if (error === undefined || error === null || error === 'route' || error === 'router' || error === state.recorded) return;
  state.recorded = error;
  state.span.recordException(error);
}

/**
 * `next` for one handler of a recorded request: notes the error it is called with. A new small
 * function per handler, never kept in the request's state: caching it there (one per router
 * level) made each request's state hold its router's closures, and with them the whole request,
 * past the young generation. That measured as a third of a sampled request's instructions.
 */
function nextFor(state: RequestErrors, next: (error?: unknown) => unknown): (error?: unknown) => unknown {
  return (error?: unknown) => {
    noteError(state, error);
    return next(error);
  };
}

/**
 * Wraps the Layer class of `app`'s router (Express 4 `handle_request`, router 2 / Express 5
 * `handleRequest`) once. Requests that are not traced go straight through.
 */
export function watchErrorsOf(app: unknown): void {
  try {
    const a = app as { _router?: { stack?: unknown[] }; router?: { stack?: unknown[] } };
    // Express 4 keeps its router in _router (its app.router getter throws); Express 5 in router.
    const router = a._router ?? a.router;
    const layer = router?.stack?.[0];
    if (layer === null || typeof layer !== 'object') return;
    const proto = Object.getPrototypeOf(layer) as Record<string, unknown>;
    if (wrappedPrototypes.has(proto)) return;
    wrappedPrototypes.add(proto);
    for (const method of ['handle_request', 'handleRequest']) {
      const original = proto[method];
      if (typeof original !== 'function') continue;
      const handle = original as HandleRequest;
      proto[method] = function tracewellHandleRequest(this: unknown, req: object, res: unknown, next: (error?: unknown) => unknown): unknown {
        const state = (req as WatchedRequest)[ERRORS];
        return handle.call(this, req, res, state === undefined ? next : nextFor(state, next));
      };
    }
  } catch {
    // An unexpected Express build: spans still get their status from the response code.
  }
}
