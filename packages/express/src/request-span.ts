import type { Span } from '@tracewell/core';

// Types `req.span` on Express's Request (Express 4 and 5 type their Request from this global
// namespace), for every file that imports @tracewell/express.
declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /**
       * This request's span. Add attributes and events to it from any handler. When the
       * request is not sampled or is ignored it is a non-recording span that still carries
       * the trace context.
       */
      span: Span;
    }
  }
}

export {};
