// Public surface of @tracewell/viewer.
export { startViewer } from './viewer-server';
export type { RunningViewer, ViewerOptions } from './viewer-server';
export { TraceStore } from './trace-store';
export type { TraceQuery, TraceSummary } from './trace-store';
export type { StoredSpan, StoredValue } from './stored-span';
export { spansFromOtlpJson, spansFromOtlpProtobuf } from './otlp-receiver';
export { spansFromZipkin } from './zipkin-receiver';
