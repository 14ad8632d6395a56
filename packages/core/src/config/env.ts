import type { AttributesInput } from '../attributes';
import { BatchSpanProcessor, DEFAULT_BATCH_OPTIONS, type BatchSpanProcessorOptions } from '../export/batch-span-processor';
import { exportersFromEnv, type LoadedExporter, type ModuleLoader } from '../export/exporter-from-env';
import { DEFAULT_SPAN_LIMITS, type SpanLimits } from '../limits';
import { safeWarn, type Logger } from '../logger';
import { isPropagatorName, PROPAGATOR_NAMES } from '../propagation/propagators-option';
import type { PropagatorName } from '../propagation/propagator';
import { isSamplerName, SAMPLER_NAMES, samplerArgumentDescription, samplerFromName, samplerTakesArgument } from '../sampling/builtin-samplers';
import type { TracerOptions } from '../tracer';
import { readEnv } from './env-reader';
import type { Environment } from './environment';

export type { Environment } from './environment';

const BATCH_VARIABLES: ReadonlyArray<readonly [string, 'maxQueueSize' | 'maxExportBatchSize' | 'scheduledDelayMillis' | 'exportTimeoutMillis']> = [
  ['OTEL_BSP_MAX_QUEUE_SIZE', 'maxQueueSize'],
  ['OTEL_BSP_MAX_EXPORT_BATCH_SIZE', 'maxExportBatchSize'],
  ['OTEL_BSP_SCHEDULE_DELAY', 'scheduledDelayMillis'],
  ['OTEL_BSP_EXPORT_TIMEOUT', 'exportTimeoutMillis'],
];

const LIMIT_VARIABLES: ReadonlyArray<readonly [string, keyof SpanLimits]> = [
  ['OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT', 'attributeCountLimit'],
  ['OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT', 'attributeValueLengthLimit'],
  ['OTEL_SPAN_EVENT_COUNT_LIMIT', 'eventCountLimit'],
  ['OTEL_SPAN_LINK_COUNT_LIMIT', 'linkCountLimit'],
];

/** Parses `OTEL_RESOURCE_ATTRIBUTES` (`key=value,...`, values percent-encoded, per the OpenTelemetry spec). */
function parseResourceAttributes(raw: string, warn: (message: string) => void): AttributesInput {
  const attributes: AttributesInput = Object.create(null) as AttributesInput;
  for (const member of raw.split(',')) {
    if (member.trim() === '') continue;
    const eq = member.indexOf('=');
    const key = eq > 0 ? member.slice(0, eq).trim() : '';
    if (key === '') {
      warn(`OTEL_RESOURCE_ATTRIBUTES: ignoring ${JSON.stringify(member)} (expected key=value)`);
      continue;
    }
    try {
      attributes[key] = decodeURIComponent(member.slice(eq + 1).trim());
    } catch {
      warn(`OTEL_RESOURCE_ATTRIBUTES: ignoring ${JSON.stringify(key)} (value is not valid percent-encoding)`);
    }
  }
  return attributes;
}

/**
 * Turns the environment into tracer options. The one place Tracewell reads environment
 * variables. An invalid value logs one warning naming the variable and the value used instead.
 *
 * Reads `OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES`, `OTEL_PROPAGATORS`, `OTEL_SDK_DISABLED`,
 * `OTEL_TRACES_SAMPLER(_ARG)`, `OTEL_TRACES_EXPORTER`, `OTEL_BSP_*` and the span limit variables.
 *
 * @param env - the environment, usually `process.env`
 * @param logger - where warnings about invalid values go
 * @param loader - loads exporter packages (default `require`; tests pass their own)
 * @example
 * const tracer = createTracer({ ...tracerOptionsFromEnv(process.env, console), serviceName: 'api' });
 */
export function tracerOptionsFromEnv(env: Environment, logger: Logger, loader?: ModuleLoader): TracerOptions {
  const warn = (message: string): void => safeWarn(logger, message);
  const options: TracerOptions = {};

  const serviceName = readEnv(env, 'OTEL_SERVICE_NAME');
  if (serviceName !== undefined) options.serviceName = serviceName;
  const resource = readEnv(env, 'OTEL_RESOURCE_ATTRIBUTES');
  if (resource !== undefined) options.resource = parseResourceAttributes(resource, warn);

  const propagators = readEnv(env, 'OTEL_PROPAGATORS');
  if (propagators !== undefined) {
    const names = propagators.split(',').map((n) => n.trim().toLowerCase()).filter((n) => n !== '');
    const known = names.filter(isPropagatorName) as PropagatorName[];
    const unknown = names.filter((n) => !isPropagatorName(n) && n !== 'none');
    if (names.includes('none')) options.propagators = [];
    else if (known.length > 0) options.propagators = known;
    if (unknown.length > 0) {
      const used = options.propagators === undefined ? 'the default formats' : `[${known.join(', ')}]`;
      warn(`OTEL_PROPAGATORS: ignoring unsupported ${unknown.join(', ')} (supported: ${PROPAGATOR_NAMES.join(', ')}, none); using ${used}`);
    }
  }

  const sampler = readEnv(env, 'OTEL_TRACES_SAMPLER');
  const samplerArg = readEnv(env, 'OTEL_TRACES_SAMPLER_ARG');
  if (sampler !== undefined) {
    const name = sampler.toLowerCase();
    if (!isSamplerName(name)) {
      warn(`OTEL_TRACES_SAMPLER: unsupported ${JSON.stringify(sampler)} (supported: ${SAMPLER_NAMES.join(', ')}); using parentbased_ratelimited`);
    } else if (samplerArg === undefined || !samplerTakesArgument(name)) {
      options.sampler = name;
    } else {
      const arg = Number(samplerArg);
      try {
        options.sampler = samplerFromName(name, arg);
      } catch {
        warn(`OTEL_TRACES_SAMPLER_ARG: expected ${samplerArgumentDescription(name)} for ${name}, got ${JSON.stringify(samplerArg)}; using its default`);
        options.sampler = name;
      }
    }
  }

  const disabled = readEnv(env, 'OTEL_SDK_DISABLED');
  if (disabled !== undefined) {
    const flag = disabled.toLowerCase();
    // OpenTelemetry's rule: only "true" disables. Disabled means nothing records; context still propagates.
    if (flag === 'true') {
      options.sampler = 'always_off';
      return options;
    }
    else if (flag !== 'false') warn(`OTEL_SDK_DISABLED: expected true or false, got ${JSON.stringify(disabled)}; using false`);
  }

  const limits: SpanLimits = {};
  for (const [variable, key] of LIMIT_VARIABLES) {
    const raw = readEnv(env, variable);
    if (raw === undefined) continue;
    if (/^[0-9]{1,15}$/.test(raw)) limits[key] = Number(raw);
    else warn(`${variable}: expected a non-negative integer, got ${JSON.stringify(raw)}; using ${DEFAULT_SPAN_LIMITS[key]}`);
  }
  if (Object.keys(limits).length > 0) options.limits = limits;

  const batch: BatchSpanProcessorOptions = {};
  for (const [variable, key] of BATCH_VARIABLES) {
    const raw = readEnv(env, variable);
    if (raw === undefined) continue;
    if (/^[0-9]{1,15}$/.test(raw) && Number(raw) > 0) batch[key] = Number(raw);
    else warn(`${variable}: expected a positive integer, got ${JSON.stringify(raw)}; using ${DEFAULT_BATCH_OPTIONS[key]}`);
  }
  const queueSize = batch.maxQueueSize ?? DEFAULT_BATCH_OPTIONS.maxQueueSize;
  if ((batch.maxExportBatchSize ?? DEFAULT_BATCH_OPTIONS.maxExportBatchSize) > queueSize) {
    warn(`OTEL_BSP_MAX_EXPORT_BATCH_SIZE: larger than the queue (${queueSize}); using ${queueSize}`);
    batch.maxExportBatchSize = queueSize;
  }
  if (Object.keys(batch).length > 0) options.batch = batch;

  const exporters = exportersFromEnv(env, logger, loader);
  // OTEL_TRACES_EXPORTER set but giving no exporter: `none` on purpose, or a problem the loader
  // already warned about. No processors, then, and no second "not exported" warning per tracer.
  if (exporters.length === 0 && readEnv(env, 'OTEL_TRACES_EXPORTER') !== undefined) options.spanProcessors = [];
  if (exporters.length === 1) {
    const [{ exporter, batchDefaults }] = exporters as [LoadedExporter];
    options.exporter = exporter;
    if (batchDefaults !== undefined) options.batch = { ...batchDefaults, ...options.batch };
  } else if (exporters.length > 1) {
    options.spanProcessors = exporters.map(({ exporter, batchDefaults }) => new BatchSpanProcessor(exporter, { ...batchDefaults, ...batch, logger }));
  }
  return options;
}
