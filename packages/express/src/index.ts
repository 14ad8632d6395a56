// Public surface of @tracewell/express.
export { traceMiddleware } from './trace-middleware';
export type { TraceMiddlewareOptions } from './trace-middleware';
