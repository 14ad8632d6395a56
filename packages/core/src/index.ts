// Public surface of @tracewell/core: the user's API. Explicit exports only: anything not listed
// is internal. Adapter and exporter authors have their own entry points, instrumentation.ts
// (@tracewell/core/instrumentation) and exporter.ts (@tracewell/core/exporter).
export type { Attributes, AttributesInput, AttributeValue } from './attributes';
export { SpanKind } from './span-kind';
export { SpanStatusCode } from './span-status';
export type { SpanStatus } from './span-status';
export type { SpanContext } from './span-context';
export { isSpanContextValid } from './span-context';
export { TraceState } from './trace-state';
export { randomSpanId, randomTraceId, isValidSpanId, isValidTraceId } from './ids';
export type { ReadableSpan, Span, SpanEvent, SpanLink, SpanOptions } from './span';
export type { TimeInput } from './time';
export type { SpanLimits } from './limits';
export type { Resource } from './resource';
export type { Logger } from './logger';
export { consoleLogger } from './logger';
export { ErrorCodes, TracewellConfigError } from './errors';
export type { ErrorCode } from './errors';

export { createTracer } from './tracer';
export type { Tracer, TracerOptions } from './tracer';
export type { TracerStats } from './tracer-stats';
export { shutdownOnSignal } from './shutdown-on-signal';
export type { ShutdownOnSignalOptions } from './shutdown-on-signal';
export type { Clock, TimerHandle } from './clock';
export { getTracer, setGlobalTracer, currentSpan } from './global';
export { traceLogFields } from './log-fields';
export type { TraceLogFields } from './log-fields';
export { tracerOptionsFromEnv } from './config/env';
export type { Environment } from './config/env';

export type { ContextManager } from './context/context-manager';
export { AsyncLocalStorageContextManager } from './context/async-local-storage-context-manager';
export { suppressTracing } from './context/suppress-tracing';

export type { Carrier, HeaderMap, HeaderRecord, HeaderValue } from './propagation/carrier';
export { HeaderReader } from './propagation/carrier';
export type { Propagator, PropagatorName } from './propagation/propagator';
export type { PropagatorList, PropagatorsOption } from './propagation/propagators-option';
export { PROPAGATOR_NAMES } from './propagation/propagators-option';
export { w3cTraceContextPropagator } from './propagation/w3c-trace-context';
export { cloudTracePropagator } from './propagation/cloud-trace';
export { b3SinglePropagator, b3MultiPropagator } from './propagation/b3';

export type { Sampler, SamplingParameters, SamplingResult } from './sampling/sampler';
export { alwaysOnSampler, alwaysOffSampler, parentBasedSampler, SAMPLER_NAMES, DEFAULT_ROOT_TRACES_PER_SECOND } from './sampling/builtin-samplers';
export { traceIdRatioSampler } from './sampling/trace-id-ratio-sampler';
export { rateLimitedSampler } from './sampling/rate-limited-sampler';
export type { SamplerName, SamplerOption } from './sampling/builtin-samplers';

export type { ExportOptions, ExportResult, SpanExporter } from './export/span-exporter';
export type { ShutdownOptions, SpanProcessor } from './export/span-processor';
export type { ExportStats } from './export/export-stats';
export { SimpleSpanProcessor } from './export/simple-span-processor';
export { BatchSpanProcessor } from './export/batch-span-processor';
export type { BatchSpanProcessorOptions } from './export/batch-span-processor';
export { exportersFromEnv } from './export/exporter-from-env';
export type { LoadedExporter, ModuleLoader } from './export/exporter-from-env';
export { InMemorySpanExporter } from './export/in-memory-span-exporter';
export { ConsoleSpanExporter } from './export/console-span-exporter';
export type { ConsoleSpanExporterOptions } from './export/console-span-exporter';
export { VERSION } from './version';

export { traceRequestListener } from './http/trace-request-listener';
export type { MatchRule, MatchRules } from './http/matchers';
export { DEFAULT_REDACTED_QUERY_PARAMS, REDACTED } from './http/query-recording';
export type { QueryRecordingOptions } from './http/query-recording';
export { NEVER_RECORDED_HEADERS } from './http/header-recording';
export type { HeaderRecordingOptions } from './http/header-recording';
