import { validateHeaderName, validateHeaderValue } from 'node:http';
import { consoleLogger, type ExportOptions, type ExportResult, type Logger, type ReadableSpan, type SpanExporter } from '@tracewell/core';
import { invalidOption, RateLimitedWarnings, isHttpUrl, sendHttpExport, urlForMessages } from '@tracewell/core/exporter';
import { toZipkinSpan } from './zipkin-span';

/**
 * Where spans go when no URL is given: a Zipkin server on this machine (`docker run -p 9411:9411
 * openzipkin/zipkin`), at the path of zipkin2-api.yaml's `POST /api/v2/spans`.
 *
 * @example
 * new ZipkinExporter({ url: DEFAULT_ZIPKIN_URL.replace('localhost', 'zipkin') });
 */
export const DEFAULT_ZIPKIN_URL = 'http://localhost:9411/api/v2/spans';

/** Default request timeout: OpenTelemetry's default for `OTEL_EXPORTER_ZIPKIN_TIMEOUT`. */
export const DEFAULT_ZIPKIN_TIMEOUT_MILLIS = 10_000;

/**
 * Options of {@link ZipkinExporter}. All optional.
 *
 * @example
 * const options: ZipkinExporterOptions = {
 *   url: 'https://zipkin.internal/api/v2/spans',
 *   headers: { authorization: `Bearer ${token}` },
 *   timeoutMillis: 5000,
 * };
 */
export interface ZipkinExporterOptions {
  /** The spans endpoint, used as-is (`http:` or `https:`). Default `http://localhost:9411/api/v2/spans`. */
  url?: string | URL;
  /** Extra request headers (e.g. auth for a proxy in front of Zipkin). `content-type` is always `application/json`. */
  headers?: Readonly<Record<string, string>>;
  /**
   * Deadline for each request, in ms: connect, send, status and body (the body gets at most
   * 2 s of it, and 4 KiB). Default 10000.
   */
  timeoutMillis?: number;
  /** Where configuration hints go (e.g. a URL that answers 404), at most once a minute. Default: `console.warn`. */
  logger?: Logger;
}

interface ResolvedOptions {
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMillis: number;
  readonly logger: Logger;
}

// Zipkin's error answers are one line of text ("Expected a JSON_V2 encoded list..."): enough of
// it to say what was wrong, bounded so a proxy's HTML error page cannot flood the log.
const MAX_DETAIL_CHARS = 200;

function resolveUrl(value: unknown): URL {
  if (value === undefined) return new URL(DEFAULT_ZIPKIN_URL);
  const url = (typeof value === 'string' || value instanceof URL) && isHttpUrl(value) ? new URL(value) : undefined;
  if (url === undefined) {
    // Never echo credentials: see urlForMessages.
    throw invalidOption('ZipkinExporter.url', 'an http: or https: URL such as http://localhost:9411/api/v2/spans', typeof value === 'string' || value instanceof URL ? urlForMessages(value) : value);
  }
  return url;
}

function resolveHeaders(value: unknown): Record<string, string> {
  // The body is always JSON: label it even when no headers are given (this returned {} and
  // sent no content-type at all; receivers that also take protobuf decide by it).
  if (value === undefined) return { 'content-type': 'application/json' };
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalidOption('ZipkinExporter.headers', 'an object of header names to string values', value);
  const headers: Record<string, string> = {};
  for (const [name, headerValue] of Object.entries(value as Record<string, unknown>)) {
    if (typeof headerValue !== 'string') throw invalidOption(`ZipkinExporter.headers.${name}`, 'a string', headerValue);
    // Checked here, not when Node would throw inside an export: a bad header is a configuration error.
    try {
      validateHeaderName(name);
    } catch {
      throw invalidOption('ZipkinExporter.headers', 'valid HTTP header names', name);
    }
    try {
      validateHeaderValue(name, headerValue);
    } catch {
      throw invalidOption(`ZipkinExporter.headers.${name}`, 'a header value without control characters', '(value not shown)');
    }
    // The body is always Zipkin JSON, and sendHttpExport sets the length.
    const lower = name.toLowerCase();
    if (lower === 'content-type' || lower === 'content-length') continue;
    headers[name] = headerValue;
  }
  headers['content-type'] = 'application/json';
  return headers;
}

function resolveOptions(options: unknown): ResolvedOptions {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw invalidOption('ZipkinExporter(options)', 'an object', options);
  const { url, headers, timeoutMillis, logger } = options as ZipkinExporterOptions;
  if (timeoutMillis !== undefined && (typeof timeoutMillis !== 'number' || !Number.isFinite(timeoutMillis) || timeoutMillis <= 0)) {
    throw invalidOption('ZipkinExporter.timeoutMillis', 'a positive number of milliseconds', timeoutMillis);
  }
  if (logger !== undefined && (logger === null || typeof logger !== 'object' || typeof (logger as Partial<Logger>).warn !== 'function')) {
    throw invalidOption('ZipkinExporter.logger', 'an object with a warn(message) method', logger);
  }
  return {
    url: resolveUrl(url),
    headers: resolveHeaders(headers),
    timeoutMillis: timeoutMillis ?? DEFAULT_ZIPKIN_TIMEOUT_MILLIS,
    logger: logger ?? consoleLogger,
  };
}

function withDetail(result: ExportResult, body: Buffer | undefined): ExportResult {
  if (result.code === 'success' || body === undefined || body.length === 0) return result;
  const text = body.toString('utf8').replace(/\s+/g, ' ').trim();
  if (text === '') return result;
  const detail = text.length > MAX_DETAIL_CHARS ? `${text.slice(0, MAX_DETAIL_CHARS)}…` : text;
  const error = new Error(`${result.error?.message ?? 'export failed'}: ${detail}`);
  return result.code === 'failed' ? { code: 'failed', error } : { ...result, error };
}

/**
 * Sends spans to Zipkin (or anything that accepts Zipkin's v2 JSON, such as Jaeger's Zipkin
 * receiver): one `POST` of a JSON list of spans per batch. Each `export` is a single attempt
 * through core's `sendHttpExport` (2xx success; 429, 502, 503, 504 and network errors
 * retryable, with `Retry-After`; anything else failed): retries are the batch processor's job.
 * Invalid options throw a `TracewellConfigError` here, at construction.
 *
 * @example
 * import { createTracer } from '@tracewell/core';
 * import { ZipkinExporter } from '@tracewell/zipkin';
 *
 * const tracer = createTracer({
 *   serviceName: 'checkout',
 *   exporter: new ZipkinExporter({ url: 'http://zipkin:9411/api/v2/spans' }),
 * });
 */
export class ZipkinExporter implements SpanExporter {
  private readonly options: ResolvedOptions;
  private readonly warnings: RateLimitedWarnings;
  private stopped = false;

  /** @param options - endpoint, headers, timeout and logger; see {@link ZipkinExporterOptions} */
  constructor(options: ZipkinExporterOptions = {}) {
    this.options = resolveOptions(options);
    this.warnings = new RateLimitedWarnings(this.options.logger);
  }

  /**
   * POSTs the spans as one Zipkin JSON list; resolves with the outcome and never rejects.
   *
   * @param spans - finished spans
   * @param options - `signal` aborts the request (the processor's export timeout)
   */
  async export(spans: ReadonlyArray<ReadableSpan>, options: ExportOptions = {}): Promise<ExportResult> {
    if (this.stopped) return { code: 'failed', error: new Error('Zipkin exporter is shut down') };
    if (spans.length === 0) return { code: 'success' };
    let body: string;
    try {
      body = JSON.stringify(spans.map(toZipkinSpan));
    } catch (error) {
      return { code: 'failed', error: error instanceof Error ? error : new Error(String(error)) };
    }
    const { url, headers, timeoutMillis } = this.options;
    const response = await sendHttpExport({ url, body, headers, timeoutMillis, signal: options.signal, maxResponseBytes: 4096 });
    if (response.statusCode === 404) {
      // The usual mistake: the server's address without the spans path. Worth a hint beyond
      // the processor's "dropped ... 404".
      this.warnings.warn(
        'zipkin_404',
        `Zipkin endpoint ${urlForMessages(url)} answered 404: the URL must be the full spans path, e.g. ${url.protocol}//${url.host}/api/v2/spans (OTEL_EXPORTER_ZIPKIN_ENDPOINT is used as-is)`,
      );
    }
    return withDetail(response.result, response.body);
  }

  /** Stops exporting: later `export` calls fail at once. Idempotent. */
  shutdown(): Promise<void> {
    this.stopped = true;
    return Promise.resolve();
  }
}
