import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import {
  consoleLogger,
  invalidOption,
  RateLimitedWarnings,
  sendHttpExport,
  VERSION,
  type Attributes,
  type AttributesInput,
  type ExportOptions,
  type ExportResult,
  type Logger,
  type ReadableSpan,
  type SpanExporter,
} from '@tracewell/core';
import { toOtlpJson } from './json-encoding';
import type { InstrumentationScope } from './otlp-model';
import { partialSuccessFromJson, partialSuccessFromProtobuf } from './partial-success';
import { toOtlpProtobuf } from './protobuf-encoding';

const gzipAsync = promisify(gzip);

/** Request headers, or a function returning them for each request (e.g. a refreshed token). */
export type OTLPHeaders = Readonly<Record<string, string>> | (() => Readonly<Record<string, string>> | Promise<Readonly<Record<string, string>>>);

/** Options of {@link OTLPTraceExporter}. */
export interface OTLPTraceExporterOptions {
  /** The traces endpoint, used as-is. Default `http://localhost:4318/v1/traces`. */
  url?: string;
  /** Extra request headers (auth, tenant), or an async function called per request. */
  headers?: OTLPHeaders;
  /** `protobuf` (default, as OpenTelemetry's exporters) or `json`. */
  encoding?: 'protobuf' | 'json';
  /** `gzip` or `none` (default). */
  compression?: 'gzip' | 'none';
  /**
   * Deadline for each request, in ms: connect, send, status and body (the body gets at most
   * 2 s of it, and 64 KiB). Default 10000.
   */
  timeoutMillis?: number;
  /** Attributes added to every span's resource (e.g. `gcp.project_id`). */
  resource?: AttributesInput;
  /** Where partial-success rejections are reported, once a minute at most. Default: console. */
  logger?: Logger;
}

/** The default endpoint: a local OpenTelemetry Collector (or the Tracewell viewer). */
export const DEFAULT_OTLP_TRACES_URL = 'http://localhost:4318/v1/traces';

const SCOPE: InstrumentationScope = { name: 'tracewell', version: VERSION };

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
 * @example
 * const tracer = createTracer({ serviceName: 'api', exporter: new OTLPTraceExporter({ url: 'http://collector:4318/v1/traces' }) });
 */
export class OTLPTraceExporter implements SpanExporter {
  /** The endpoint spans are sent to. */
  readonly url: string;
  private readonly headers: OTLPHeaders | undefined;
  private readonly encoding: 'protobuf' | 'json';
  private readonly gzip: boolean;
  private readonly timeoutMillis: number;
  private readonly resource: Attributes | undefined;
  private readonly warnings: RateLimitedWarnings;

  /** @param options - endpoint, headers, encoding, compression, timeout; all optional */
  constructor(options: OTLPTraceExporterOptions = {}) {
    if (options === null || typeof options !== 'object') throw invalidOption('OTLPTraceExporter(options)', 'an object', options);
    const url = options.url ?? DEFAULT_OTLP_TRACES_URL;
    let protocol: string | undefined;
    try {
      protocol = new URL(url).protocol;
    } catch {
      protocol = undefined;
    }
    if (protocol !== 'http:' && protocol !== 'https:') throw invalidOption('OTLPTraceExporter.url', 'an http: or https: URL', url);
    const { headers, encoding = 'protobuf', compression = 'none', timeoutMillis = 10_000 } = options;
    if (headers !== undefined && typeof headers !== 'function' && (headers === null || typeof headers !== 'object')) {
      throw invalidOption('OTLPTraceExporter.headers', 'an object of header values or a function returning one', headers);
    }
    if (encoding !== 'protobuf' && encoding !== 'json') throw invalidOption('OTLPTraceExporter.encoding', '"protobuf" or "json"', encoding);
    if (compression !== 'gzip' && compression !== 'none') throw invalidOption('OTLPTraceExporter.compression', '"gzip" or "none"', compression);
    if (typeof timeoutMillis !== 'number' || !(timeoutMillis > 0)) throw invalidOption('OTLPTraceExporter.timeoutMillis', 'a positive number of milliseconds', timeoutMillis);
    this.url = url;
    this.headers = headers;
    this.encoding = encoding;
    this.gzip = compression === 'gzip';
    this.timeoutMillis = timeoutMillis;
    if (options.resource !== undefined && (options.resource === null || typeof options.resource !== 'object')) {
      throw invalidOption('OTLPTraceExporter.resource', 'an object of attributes', options.resource);
    }
    this.resource = options.resource === undefined ? undefined : definedAttributes(options.resource);
    this.warnings = new RateLimitedWarnings(options.logger ?? consoleLogger);
  }

  /** Encodes the batch as it would be sent (no I/O): for tests and benchmarks. */
  encode(spans: ReadonlyArray<ReadableSpan>): Uint8Array {
    return this.encoding === 'protobuf' ? toOtlpProtobuf(spans, SCOPE, this.resource) : Buffer.from(JSON.stringify(toOtlpJson(spans, SCOPE, this.resource)));
  }

  async export(spans: ReadonlyArray<ReadableSpan>, options?: ExportOptions): Promise<ExportResult> {
    let extraHeaders: Readonly<Record<string, string>> | undefined;
    try {
      extraHeaders = typeof this.headers === 'function' ? await this.headers() : this.headers;
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
