// Shared behaviour suites (private package, used by the adapters' tests).
export { runServerConformance } from './server-suite';
export type { RunningServer, ServerAdapter } from './server-suite';
export { get, getAndAbort } from './http-client';
export { runEsmEntryCheck } from './esm-entry';
export type { TestResponse } from './http-client';
export { decodeOtlpRequest, OtlpRequest, OtlpResponse } from './otlp-decoder';
