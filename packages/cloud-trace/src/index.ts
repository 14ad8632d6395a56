// Public surface of @tracewell/cloud-trace.
export { CloudTraceExporter, CLOUD_TRACE_BATCH_DEFAULTS } from './cloud-trace-exporter';
export type { CloudTraceExporterOptions } from './cloud-trace-exporter';
export { toCloudTraceSpan, LIMITS, AGENT } from './cloud-trace-span';
export type { CloudTraceSpan, CloudAttributes, CloudAttributeValue } from './cloud-trace-span';
export type { CloudLogFields } from './log-fields';
export { exporterFromEnv, batchDefaults } from './exporter-from-env';
