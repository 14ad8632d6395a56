// Public surface of @tracewell/otlp.
export { OTLPTraceExporter, DEFAULT_OTLP_TRACES_URL } from './otlp-trace-exporter';
export type { OTLPHeaders, OTLPTraceExporterOptions } from './otlp-trace-exporter';
export { exporterFromEnv } from './exporter-from-env';
export { otlpOptionsFromEnv } from './env';
export { toOtlpJson } from './json-encoding';
export { toOtlpProtobuf } from './protobuf-encoding';
export type { InstrumentationScope } from './otlp-model';
