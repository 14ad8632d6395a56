// Shared behaviour suites (private package, used by the adapters' tests).
export { runServerConformance, runningServer } from './server-suite';
export type { RunningServer, ServerAdapter } from './server-suite';
export { runClientConformance, type ClientAdapter, type ClientConformanceOptions, type ClientGetInit, type ClientGetResult, type ConformanceClient } from './client-suite';
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
export { startOtelPeer, poll, type OtelPeer, type PeerSpan } from './otel-peer';
export { jsonGrpcMethod, type JsonGrpcMethod } from './json-grpc-method';
