// Shared behaviour suites (private package, used by the adapters' tests).
export { runServerConformance, runningServer } from './server-suite';
export type { RunningServer, ServerAdapter } from './server-suite';
export { runContextConformance, CONTEXT_CASES } from './context-suite';
export type { ContextConformanceOptions } from './context-suite';
export { get, getAndAbort } from './http-client';
export { rawRequest } from './raw-request';
export { esmEntryCheck } from './esm-entry';
export type { TestResponse } from './http-client';
export { decodeOtlpRequest, OtlpRequest, OtlpResponse } from './otlp-decoder';
export { readableSpan, TRACE_ID, SPAN_ID, PARENT_ID, START } from './readable-span';
export type { SpanFields } from './readable-span';
export { startPostgres, type PostgresCluster, type StartPostgresOptions } from './postgres-cluster';
