import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { consoleLogger, VERSION, type Attributes, type AttributesInput, type Environment, type ExportOptions, type ExportResult, type Logger, type ReadableSpan, type SpanExporter } from '@tracewell/core';
import { invalidOption, isHttpUrl, RateLimitedWarnings, sendHttpExport } from '@tracewell/core/exporter';
import { guardedWarn, otlpEnvDefaults } from './env';
import { toOtlpJson } from './json-encoding';
import type { InstrumentationScope } from './otlp-model';
import { partialSuccessFromJson, partialSuccessFromProtobuf } from './partial-success';
import { toOtlpProtobuf } from './protobuf-encoding';

const gzipAsync = promisify(gzip);

/** Request headers, or a function returning them for each request (e.g. a refreshed token). */
export type OTLPHeaders = Readonly<Record<string, string>> | (() => Readonly<Record<string, string>> | Promise<Readonly<Record<string, string>>>);

/**
 * Options of {@link OTLPTraceExporter}. Each one left out is taken from the
 * `OTEL_EXPORTER_OTLP_*` variables of `env` when set, else from the default shown.
 */
export interface OTLPTraceExporterOptions {
  /**
   * The traces endpoint, used as-is. Default: `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, else
   * `OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/traces`, else `http://localhost:4318/v1/traces`.
   */
  url?: string;
  /**
   * Extra request headers (auth, tenant), or an async function called per request. Merged over
   * the headers of `OTEL_EXPORTER_OTLP_HEADERS` and `OTEL_EXPORTER_OTLP_TRACES_HEADERS`: the
   * ones given here win per header name (as in OpenTelemetry JS).
   */
  headers?: OTLPHeaders;
  /** `protobuf` or `json`. Default: `OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL`, else `protobuf` (as OpenTelemetry's exporters). */
  encoding?: 'protobuf' | 'json';
  /** `gzip` or `none`. Default: `OTEL_EXPORTER_OTLP_(TRACES_)COMPRESSION`, else `none`. */
  compression?: 'gzip' | 'none';
  /**
   * Deadline for each request, in ms: connect, send, status and body (the body gets at most
   * 2 s of it, and 64 KiB). Default: `OTEL_EXPORTER_OTLP_(TRACES_)TIMEOUT`, else 10000.
   */
  timeoutMillis?: number;
  /** Attributes added to every span's resource (e.g. `gcp.project_id`). */
  resource?: AttributesInput;
  /** Where configuration warnings and partial-success rejections (once a minute at most) go. Default: console. */
  logger?: Logger;
  /**
   * Where the `OTEL_EXPORTER_OTLP_*` variables are read, once, here. Default `process.env`;
   * pass `{}` to ignore the environment (an exporter configured entirely in code).
   */
  env?: Environment;
}

/** The default endpoint: a local OpenTelemetry Collector (or the Tracewell viewer). */
export const DEFAULT_OTLP_TRACES_URL = 'http://localhost:4318/v1/traces';

const SCOPE: InstrumentationScope = { name: 'tracewell', version: VERSION };

/**
 * Headers from the environment under the explicit ones, which win per name (names compare
 * case-insensitively; the environment's are lower-cased already).
 */
function mergeHeaders(fromEnv: Readonly<Record<string, string>>, explicit: Readonly<Record<string, string>> | undefined): Readonly<Record<string, string>> {
  // A headers function may return nothing: then the environment's headers are sent alone.
  if (typeof explicit !== 'object' || explicit === null) return fromEnv;
  const merged: Record<string, string> = { ...fromEnv };
  for (const [name, value] of Object.entries(explicit)) {
    delete merged[name.toLowerCase()];
    merged[name] = value;
  }
  return merged;
}

function definedAttributes(input: AttributesInput): Attributes {
  const out: Attributes = {};
  for (const [key, value] of Object.entries(input)) if (value !== undefined && value !== null) out[key] = value;
  return out;
}

/**
 * Sends spans over OTLP/HTTP to an OpenTelemetry Collector, Jaeger, Grafana Tempo or any OTLP
 * receiver, as protobuf (default) or JSON, optionally gzipped. One attempt per `export()`:
 * the batch processor retries what the OTLP specification calls retryable (429, 502, 503, 504,
 * network errors), honouring Retry-After.
 *
 * Like OpenTelemetry JS's exporter, it honours the `OTEL_EXPORTER_OTLP_*` variables (endpoint,
 * headers, compression, timeout, protocol) for every option not given in code. An endpoint
 * variable that is not an http(s) URL is refused with one warning: the exporter then sends
 * nothing, and answers every export with a permanent failure (counted as `exportFailed`).
 *
 * @example
 * // OTEL_EXPORTER_OTLP_ENDPOINT=http://collector:4318 node app.js
 * const tracer = createTracer({ serviceName: 'api', exporter: new OTLPTraceExporter() });
 * @example
 * const exporter = new OTLPTraceExporter({ url: 'http://collector:4318/v1/traces', compression: 'gzip' });
 */
export class OTLPTraceExporter implements SpanExporter {
  /** The endpoint spans are sent to; undefined when the endpoint variable was refused (nothing is sent). */
  readonly url: string | undefined;
  /** Set when the endpoint variable was refused: what every export answers. */
  private readonly refused: ExportResult | undefined;
  /** The static headers (environment's merged with the explicit ones), when not a function. */
  private readonly staticHeaders: Readonly<Record<string, string>> | undefined;
  private readonly headersFunction: (() => Readonly<Record<string, string>> | Promise<Readonly<Record<string, string>>>) | undefined;
  private readonly envHeaders: Readonly<Record<string, string>> | undefined;
  private readonly encoding: 'protobuf' | 'json';
  private readonly gzip: boolean;
  private readonly timeoutMillis: number;
  private readonly resource: Attributes | undefined;
  private readonly warnings: RateLimitedWarnings;

  /** @param options - endpoint, headers, encoding, compression, timeout, environment; all optional */
  constructor(options: OTLPTraceExporterOptions = {}) {
    if (options === null || typeof options !== 'object') throw invalidOption('OTLPTraceExporter(options)', 'an object', options);
    // Explicit options are validated first and throw (configuration errors, STYLE practice 3);
    // the environment only fills in what they leave out, and never throws.
    if (options.url !== undefined && !isHttpUrl(options.url)) {
      throw invalidOption('OTLPTraceExporter.url', 'an http: or https: URL', options.url);
    }
    const { headers } = options;
    if (headers !== undefined && typeof headers !== 'function' && (headers === null || typeof headers !== 'object')) {
      throw invalidOption('OTLPTraceExporter.headers', 'an object of header values or a function returning one', headers);
    }
    if (options.encoding !== undefined && options.encoding !== 'protobuf' && options.encoding !== 'json') {
      throw invalidOption('OTLPTraceExporter.encoding', '"protobuf" or "json"', options.encoding);
    }
    if (options.compression !== undefined && options.compression !== 'gzip' && options.compression !== 'none') {
      throw invalidOption('OTLPTraceExporter.compression', '"gzip" or "none"', options.compression);
    }
    if (options.timeoutMillis !== undefined && (typeof options.timeoutMillis !== 'number' || !(options.timeoutMillis > 0))) {
      throw invalidOption('OTLPTraceExporter.timeoutMillis', 'a positive number of milliseconds', options.timeoutMillis);
    }
    if (options.env !== undefined && (options.env === null || typeof options.env !== 'object')) {
      throw invalidOption('OTLPTraceExporter.env', 'an object of environment variables, such as process.env', options.env);
    }
    if (options.resource !== undefined && (options.resource === null || typeof options.resource !== 'object')) {
      throw invalidOption('OTLPTraceExporter.resource', 'an object of attributes', options.resource);
    }
    const logger = options.logger ?? consoleLogger;

    const fromEnv = otlpEnvDefaults(options.env ?? process.env, guardedWarn(logger), options);
    const envOptions = fromEnv.options;
    const { encoding = envOptions.encoding ?? 'protobuf', compression = envOptions.compression ?? 'none', timeoutMillis = envOptions.timeoutMillis ?? 10_000 } = options;
    if (fromEnv.refusedEndpoint !== undefined) {
      this.url = undefined;
      this.refused = Object.freeze({ code: 'failed', error: new Error(`OTLP exporter disabled: ${fromEnv.refusedEndpoint}`) });
    } else {
      this.url = options.url ?? envOptions.url ?? DEFAULT_OTLP_TRACES_URL;
      this.refused = undefined;
    }
    // Static headers are merged once here; a headers function's result is merged per request.
    this.envHeaders = envOptions.headers;
    this.headersFunction = typeof headers === 'function' ? headers : undefined;
    this.staticHeaders = typeof headers === 'function' ? undefined : envOptions.headers === undefined ? headers : mergeHeaders(envOptions.headers, headers);
    this.encoding = encoding;
    this.gzip = compression === 'gzip';
    this.timeoutMillis = timeoutMillis;
    this.resource = options.resource === undefined ? undefined : definedAttributes(options.resource);
    this.warnings = new RateLimitedWarnings(logger);
  }

  /** Encodes the batch as it would be sent (no I/O): for tests and benchmarks. */
  encode(spans: ReadonlyArray<ReadableSpan>): Uint8Array {
    return this.encoding === 'protobuf' ? toOtlpProtobuf(spans, SCOPE, this.resource) : Buffer.from(JSON.stringify(toOtlpJson(spans, SCOPE, this.resource)));
  }

  async export(spans: ReadonlyArray<ReadableSpan>, options?: ExportOptions): Promise<ExportResult> {
    // The endpoint variable was refused: answer at once, without I/O. Permanent, so the
    // processor drops the batch and counts it (exportFailed) instead of retrying.
    if (this.url === undefined) return this.refused ?? { code: 'failed' };
    let extraHeaders: Readonly<Record<string, string>> | undefined;
    try {
      if (this.headersFunction === undefined) extraHeaders = this.staticHeaders;
      else {
        const fromFunction = await this.headersFunction();
        extraHeaders = this.envHeaders === undefined ? fromFunction : mergeHeaders(this.envHeaders, fromFunction);
      }
    } catch (error) {
      // A failed token refresh is usually transient: let the processor retry.
      return { code: 'retryable', error: new Error(`OTLP headers function failed: ${error instanceof Error ? error.message : String(error)}`) };
    }
    let body = this.encode(spans);
    const headers: Record<string, string> = {
      ...extraHeaders,
      'content-type': this.encoding === 'protobuf' ? 'application/x-protobuf' : 'application/json',
      'user-agent': `tracewell-otlp/${VERSION}`,
    };
    if (this.gzip) {
      body = await gzipAsync(body);
      headers['content-encoding'] = 'gzip';
    }
    const response = await sendHttpExport({ url: this.url, body, headers, signal: options?.signal, timeoutMillis: this.timeoutMillis });
    if (response.result.code === 'success' && response.body !== undefined && response.body.length > 0) {
      const partial = this.encoding === 'protobuf' ? partialSuccessFromProtobuf(response.body) : partialSuccessFromJson(response.body);
      if (partial !== undefined && (partial.rejectedSpans > 0 || partial.errorMessage !== '')) {
        this.warnings.warn('partial_success', `OTLP receiver rejected ${partial.rejectedSpans} of ${spans.length} spans: ${partial.errorMessage || 'no message'}`);
      }
    }
    return response.result;
  }

  async shutdown(): Promise<void> {}
}
