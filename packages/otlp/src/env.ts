// The one place @tracewell/otlp reads the environment (STYLE practice 7): OpenTelemetry's
// OTEL_EXPORTER_OTLP_* variables, as the OTLP exporter specification defines them.
// https://opentelemetry.io/docs/specs/otel/protocol/exporter/
import type { Environment, Logger } from '@tracewell/core';
import { firstEnv, httpUrlProblem, readEnv, safeWarn, urlForMessages } from '@tracewell/core/exporter';
import type { OTLPTraceExporterOptions } from './otlp-trace-exporter';

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

/** The options the variables can set, validated; `headers` is always a plain object. */
export interface OtlpEnvOptions {
  url?: string;
  headers?: Record<string, string>;
  compression?: 'gzip' | 'none';
  timeoutMillis?: number;
  encoding?: 'protobuf' | 'json';
}

/** What the environment supplies for the options not given in code (internal). */
export interface OtlpEnvDefaults {
  readonly options: OtlpEnvOptions;
  /**
   * Set when the endpoint variable is not an http(s) URL: the warning that was logged. The
   * exporter then sends nothing rather than falling back to the default address.
   */
  readonly refusedEndpoint?: string;
}

/**
 * Reads the OTLP variables for the options `explicit` does not set: explicit options win, so
 * their variables are neither read nor warned about. Headers are always read: the exporter
 * merges them under the explicit ones, as OpenTelemetry JS does. Precedence as in the spec:
 * the `_TRACES_` variable over the general one; `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` is used
 * as-is, `OTEL_EXPORTER_OTLP_ENDPOINT` gets `v1/traces` appended. Invalid values log one warning
 * naming the variable; never throws.
 */
export function otlpEnvDefaults(env: Environment, warn: (message: string) => void, explicit: OTLPTraceExporterOptions): OtlpEnvDefaults {
  const options: OtlpEnvOptions = {};
  let refusedEndpoint: string | undefined;

  if (explicit.url === undefined) {
    // The traces variable is what the user said for traces: when it is invalid, the general
    // one is not a fallback (nor is the default address: spans would go where nobody said).
    const endpoint = firstEnv(env, ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'OTEL_EXPORTER_OTLP_ENDPOINT']);
    if (endpoint !== undefined) {
      const problem = httpUrlProblem(endpoint.value);
      if (problem !== undefined) {
        refusedEndpoint = `${endpoint.name}: ${JSON.stringify(urlForMessages(endpoint.value))} ${problem}; exporting nothing (every export fails) until it is fixed`;
        warn(refusedEndpoint);
      } else if (endpoint.name === 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT') {
        options.url = endpoint.value;
      } else {
        options.url = `${endpoint.value}${endpoint.value.endsWith('/') ? '' : '/'}v1/traces`;
      }
    }
  }

  const general = readEnv(env, 'OTEL_EXPORTER_OTLP_HEADERS');
  const specific = readEnv(env, 'OTEL_EXPORTER_OTLP_TRACES_HEADERS');
  if (general !== undefined || specific !== undefined) {
    options.headers = {
      ...(general === undefined ? {} : parseHeaders('OTEL_EXPORTER_OTLP_HEADERS', general, warn)),
      ...(specific === undefined ? {} : parseHeaders('OTEL_EXPORTER_OTLP_TRACES_HEADERS', specific, warn)),
    };
  }

  const compression = explicit.compression === undefined ? firstEnv(env, ['OTEL_EXPORTER_OTLP_TRACES_COMPRESSION', 'OTEL_EXPORTER_OTLP_COMPRESSION']) : undefined;
  if (compression !== undefined) {
    const value = compression.value.toLowerCase();
    if (value === 'gzip' || value === 'none') options.compression = value;
    else warn(`${compression.name}: expected gzip or none, got ${JSON.stringify(compression.value)}; using none`);
  }

  const timeout = explicit.timeoutMillis === undefined ? firstEnv(env, ['OTEL_EXPORTER_OTLP_TRACES_TIMEOUT', 'OTEL_EXPORTER_OTLP_TIMEOUT']) : undefined;
  if (timeout !== undefined) {
    if (/^[0-9]{1,9}$/.test(timeout.value) && Number(timeout.value) > 0) options.timeoutMillis = Number(timeout.value);
    else warn(`${timeout.name}: expected a positive number of milliseconds, got ${JSON.stringify(timeout.value)}; using 10000`);
  }

  const protocol = explicit.encoding === undefined ? firstEnv(env, ['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', 'OTEL_EXPORTER_OTLP_PROTOCOL']) : undefined;
  if (protocol !== undefined) {
    if (protocol.value === 'http/protobuf') options.encoding = 'protobuf';
    else if (protocol.value === 'http/json') options.encoding = 'json';
    else warn(`${protocol.name}: ${JSON.stringify(protocol.value)} is not supported (http/protobuf, http/json); using http/protobuf`);
  }
  return refusedEndpoint === undefined ? { options } : { options, refusedEndpoint };
}

/** A warn function over `logger` that a broken logger cannot make throw. */
export function guardedWarn(logger: Logger): (message: string) => void {
  return (message) => safeWarn(logger, message);
}

/**
 * OTLP exporter options from the OpenTelemetry environment variables, with the specification's
 * precedence (the `_TRACES_` variable over the general one) and path rules
 * (`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` is used as-is; `OTEL_EXPORTER_OTLP_ENDPOINT` gets
 * `v1/traces` appended). Invalid values log one warning naming the variable.
 *
 * `new OTLPTraceExporter()` now reads these variables itself (pass `env` to choose the
 * environment), and only it can refuse an invalid endpoint: these options then carry no `url`,
 * so prefer the constructor. Kept for code that inspects or adjusts the options.
 *
 * @example
 * const options = otlpOptionsFromEnv(process.env, console); // e.g. { url: 'http://collector:4318/v1/traces' }
 */
export function otlpOptionsFromEnv(env: Environment, logger: Logger): OTLPTraceExporterOptions {
  return otlpEnvDefaults(env, guardedWarn(logger), {}).options;
}
