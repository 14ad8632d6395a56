// Public surface of @tracewell/viewer.
export { startViewer } from './viewer-server';
export type { RunningViewer, ViewerOptions, ViewerStats } from './viewer-server';
export { DEFAULT_VIEWER_LIMITS } from './viewer-limits';
export type { ViewerLimits } from './viewer-limits';
export type { LimitCounters } from './span-limiter';
export { TraceStore } from './trace-store';
export type { MatchedTrace, TraceStoreStats } from './trace-store';
export { analyzeTrace } from './trace-analysis';
export { formatAnalysis } from './analysis-report';
export type * from './api-types';
export type { StoredSpan, StoredValue } from './stored-span';
export { spansFromOtlpJson, spansFromOtlpProtobuf } from './otlp-receiver';
export { spansFromZipkin } from './zipkin-receiver';
