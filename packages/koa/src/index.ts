// Public surface of @tracewell/koa.
export { traceMiddleware } from './trace-middleware';
export type { TraceMiddlewareOptions } from './trace-middleware';
