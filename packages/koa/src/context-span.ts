import type { Span } from '@tracewell/core';

// Types `ctx.span` and `ctx.state.span` on every Koa context, for every file that imports
// @tracewell/koa.
declare module 'koa' {
  interface ExtendableContext {
    /**
     * This request's span. Add attributes and events to it from any middleware. When the
     * request is not sampled or is ignored it is a non-recording span that still carries the
     * trace context.
     */
    span: Span;
  }
  interface DefaultState {
    /** The same span as `ctx.span`, for code that only sees `ctx.state` (e.g. view locals). */
    span: Span;
  }
}

export {};
