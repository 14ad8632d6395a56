import type { Environment, Logger } from '@tracewell/core';
import { DEFAULT_OTLP_TRACES_URL, OTLPTraceExporter, type OTLPTraceExporterOptions } from './otlp-trace-exporter';

function read(env: Environment, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/** The first set variable of `names` (signal-specific first), with its name. */
function first(env: Environment, names: readonly string[]): { name: string; value: string } | undefined {
  for (const name of names) {
    const value = read(env, name);
    if (value !== undefined) return { name, value };
  }
  return undefined;
}

/** Parses `key=value,key2=value2` (values percent-decoded), as the OTLP exporter spec defines. */
function parseHeaders(variable: string, raw: string, warn: (message: string) => void): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const member of raw.split(',')) {
    if (member.trim() === '') continue;
    const eq = member.indexOf('=');
    const key = eq > 0 ? member.slice(0, eq).trim().toLowerCase() : '';
    if (key === '' || !/^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(key)) {
      warn(`${variable}: ignoring an entry that is not key=value with a valid header name`);
      continue;
    }
    try {
      headers[key] = decodeURIComponent(member.slice(eq + 1).trim());
    } catch {
      warn(`${variable}: ignoring the value of ${key} (not valid percent-encoding)`);
    }
  }
  return headers;
}

function isHttpUrl(value: string): boolean {
  try {
    const protocol = new URL(value).protocol;
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * OTLP exporter options from the OpenTelemetry environment variables, with the specification's
 * precedence (the `_TRACES_` variable over the general one) and path rules
 * (`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` is used as-is; `OTEL_EXPORTER_OTLP_ENDPOINT` gets
 * `v1/traces` appended). Invalid values log one warning naming the variable and what is used.
 *
 * @example
 * const exporter = new OTLPTraceExporter(otlpOptionsFromEnv(process.env, console));
 */
export function otlpOptionsFromEnv(env: Environment, logger: Logger): OTLPTraceExporterOptions {
  const warn = (message: string): void => {
    try {
      logger.warn(message);
    } catch {
      // a broken logger must not break configuration
    }
  };
  const options: OTLPTraceExporterOptions = {};

  const signalEndpoint = read(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  const baseEndpoint = read(env, 'OTEL_EXPORTER_OTLP_ENDPOINT');
  if (signalEndpoint !== undefined) {
    if (isHttpUrl(signalEndpoint)) options.url = signalEndpoint;
    else warn(`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: not an http(s) URL: ${JSON.stringify(signalEndpoint)}; using ${DEFAULT_OTLP_TRACES_URL}`);
  } else if (baseEndpoint !== undefined) {
    if (isHttpUrl(baseEndpoint)) options.url = `${baseEndpoint}${baseEndpoint.endsWith('/') ? '' : '/'}v1/traces`;
    else warn(`OTEL_EXPORTER_OTLP_ENDPOINT: not an http(s) URL: ${JSON.stringify(baseEndpoint)}; using ${DEFAULT_OTLP_TRACES_URL}`);
  }

  const general = read(env, 'OTEL_EXPORTER_OTLP_HEADERS');
  const specific = read(env, 'OTEL_EXPORTER_OTLP_TRACES_HEADERS');
  if (general !== undefined || specific !== undefined) {
    options.headers = {
      ...(general === undefined ? {} : parseHeaders('OTEL_EXPORTER_OTLP_HEADERS', general, warn)),
      ...(specific === undefined ? {} : parseHeaders('OTEL_EXPORTER_OTLP_TRACES_HEADERS', specific, warn)),
    };
  }

  const compression = first(env, ['OTEL_EXPORTER_OTLP_TRACES_COMPRESSION', 'OTEL_EXPORTER_OTLP_COMPRESSION']);
  if (compression !== undefined) {
    const value = compression.value.toLowerCase();
    if (value === 'gzip' || value === 'none') options.compression = value;
    else warn(`${compression.name}: expected gzip or none, got ${JSON.stringify(compression.value)}; using none`);
  }

  const timeout = first(env, ['OTEL_EXPORTER_OTLP_TRACES_TIMEOUT', 'OTEL_EXPORTER_OTLP_TIMEOUT']);
  if (timeout !== undefined) {
    if (/^[0-9]{1,9}$/.test(timeout.value) && Number(timeout.value) > 0) options.timeoutMillis = Number(timeout.value);
    else warn(`${timeout.name}: expected a positive number of milliseconds, got ${JSON.stringify(timeout.value)}; using 10000`);
  }

  const protocol = first(env, ['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', 'OTEL_EXPORTER_OTLP_PROTOCOL']);
  if (protocol !== undefined) {
    if (protocol.value === 'http/protobuf') options.encoding = 'protobuf';
    else if (protocol.value === 'http/json') options.encoding = 'json';
    else warn(`${protocol.name}: ${JSON.stringify(protocol.value)} is not supported (http/protobuf, http/json); using http/protobuf`);
  }
  return options;
}

/**
 * What `OTEL_TRACES_EXPORTER=otlp` calls (through @tracewell/core): an exporter configured
 * from the environment.
 *
 * @example
 * // OTEL_EXPORTER_OTLP_ENDPOINT=http://collector:4318 node app.js
 * const exporter = exporterFromEnv(process.env, console);
 */
export function exporterFromEnv(env: Environment, logger: Logger): OTLPTraceExporter {
  return new OTLPTraceExporter({ ...otlpOptionsFromEnv(env, logger), logger });
}
