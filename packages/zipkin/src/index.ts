// Public surface of @tracewell/zipkin. Explicit exports only: anything not listed is internal.
export { ZipkinExporter, DEFAULT_ZIPKIN_URL } from './zipkin-exporter';
export type { ZipkinExporterOptions } from './zipkin-exporter';
export { exporterFromEnv } from './exporter-from-env';
export { toZipkinSpan } from './zipkin-span';
export type { ZipkinAnnotation, ZipkinEndpoint, ZipkinSpan } from './zipkin-model';
