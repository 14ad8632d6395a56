// Public surface of @tracewell/opentelemetry.
export { registerOpenTelemetry } from './register';
export type { RegisterOpenTelemetryOptions } from './register';
export { TracewellSpanExporter } from './tracewell-span-exporter';
export type { OtelExportResult, OtelExportResultCode } from './tracewell-span-exporter';
export type { OtelReadableSpan } from './otel-readable-span';
