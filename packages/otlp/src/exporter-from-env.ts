import type { Environment, Logger } from '@tracewell/core';
import { OTLPTraceExporter } from './otlp-trace-exporter';

/**
 * What `OTEL_TRACES_EXPORTER=otlp` calls (through @tracewell/core): an exporter configured
 * from the environment, exactly as `new OTLPTraceExporter({ env, logger })`.
 *
 * @param env - the environment, usually `process.env`
 * @param logger - where warnings go; also the exporter's logger
 * @example
 * // OTEL_EXPORTER_OTLP_ENDPOINT=http://collector:4318 node app.js
 * const exporter = exporterFromEnv(process.env, console);
 */
export function exporterFromEnv(env: Environment, logger: Logger): OTLPTraceExporter {
  return new OTLPTraceExporter({ env, logger });
}
