import type { Environment, Logger } from '@tracewell/core';
import { readEnv, safeWarn } from '@tracewell/core/exporter';
import { CloudTraceExporter, CLOUD_TRACE_BATCH_DEFAULTS } from './cloud-trace-exporter';

/**
 * What `OTEL_TRACES_EXPORTER=cloud-trace` calls (through @tracewell/core). Credentials and the
 * project come from google-auth-library's usual places (GOOGLE_APPLICATION_CREDENTIALS,
 * GOOGLE_CLOUD_PROJECT, the metadata server); `TRACEWELL_CLOUD_TRACE_PROTOCOL=otlp` picks the
 * Telemetry API.
 *
 * @example
 * // OTEL_TRACES_EXPORTER=cloud-trace node app.js   (on Cloud Run: nothing else to set)
 */
export function exporterFromEnv(env: Environment, logger: Logger): CloudTraceExporter {
  const raw = readEnv(env, 'TRACEWELL_CLOUD_TRACE_PROTOCOL')?.toLowerCase();
  let protocol: 'cloudtrace-v2' | 'otlp' = 'cloudtrace-v2';
  if (raw === 'otlp') protocol = 'otlp';
  else if (raw !== undefined && raw !== 'cloudtrace-v2') {
    safeWarn(logger, `TRACEWELL_CLOUD_TRACE_PROTOCOL: expected cloudtrace-v2 or otlp, got ${JSON.stringify(raw)}; using cloudtrace-v2`);
  }
  return new CloudTraceExporter({ protocol, logger });
}

/** The batching core applies to this exporter when it is chosen from the environment. */
export const batchDefaults = CLOUD_TRACE_BATCH_DEFAULTS;
