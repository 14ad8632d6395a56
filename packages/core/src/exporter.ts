// @tracewell/core/exporter: the kit for exporter authors (OTLP, Zipkin and Cloud Trace are
// built on it). The HTTP export transport with its deadlines, status classification and
// Retry-After, and the contract an exporter package fulfils for OTEL_TRACES_EXPORTER.
export * from './kit';
export { sendHttpExport, resultForStatus, parseRetryAfter } from './export/http-export';
export type { HttpExportRequest, HttpExportResponse } from './export/http-export';
export type { ExporterPackage } from './export/exporter-from-env';
