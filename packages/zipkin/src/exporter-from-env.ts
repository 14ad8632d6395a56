import type { Environment, Logger } from '@tracewell/core';
import { isHttpUrl, readEnv, safeWarn, urlForMessages } from '@tracewell/core/exporter';
import { DEFAULT_ZIPKIN_TIMEOUT_MILLIS, DEFAULT_ZIPKIN_URL, ZipkinExporter, type ZipkinExporterOptions } from './zipkin-exporter';

const ENDPOINT = 'OTEL_EXPORTER_ZIPKIN_ENDPOINT';
const TIMEOUT = 'OTEL_EXPORTER_ZIPKIN_TIMEOUT';

/**
 * Builds a {@link ZipkinExporter} from OpenTelemetry's Zipkin variables; this is what
 * `OTEL_TRACES_EXPORTER=zipkin` calls (through `@tracewell/core`).
 *
 * - `OTEL_EXPORTER_ZIPKIN_ENDPOINT`: the full spans URL, used as-is (default
 *   `http://localhost:9411/api/v2/spans`).
 * - `OTEL_EXPORTER_ZIPKIN_TIMEOUT`: request timeout in milliseconds (default 10000).
 *
 * An invalid value logs one warning naming the variable and the value used instead; this never
 * throws. Reads only `env`, never `process.env` itself.
 *
 * @param env - the environment, usually `process.env`
 * @param logger - where warnings go; also the exporter's logger
 * @example
 * // OTEL_EXPORTER_ZIPKIN_ENDPOINT=http://zipkin:9411/api/v2/spans
 * const tracer = createTracer({ serviceName: 'checkout', exporter: exporterFromEnv(process.env, console) });
 */
export function exporterFromEnv(env: Environment, logger: Logger): ZipkinExporter {
  const options: ZipkinExporterOptions = {};
  if (logger !== null && typeof logger === 'object' && typeof logger.warn === 'function') options.logger = logger;

  const endpoint = readEnv(env, ENDPOINT);
  if (endpoint !== undefined) {
    if (isHttpUrl(endpoint)) options.url = new URL(endpoint);
    else safeWarn(logger, `${ENDPOINT}: expected an http: or https: URL, got ${JSON.stringify(urlForMessages(endpoint))}; using ${DEFAULT_ZIPKIN_URL}`);
  }

  const timeout = readEnv(env, TIMEOUT);
  if (timeout !== undefined) {
    // OpenTelemetry's timeout variables are integers in milliseconds.
    if (/^[0-9]{1,15}$/.test(timeout) && Number(timeout) > 0) options.timeoutMillis = Number(timeout);
    else safeWarn(logger, `${TIMEOUT}: expected a positive integer (milliseconds), got ${JSON.stringify(timeout)}; using ${DEFAULT_ZIPKIN_TIMEOUT_MILLIS}`);
  }

  return new ZipkinExporter(options);
}
