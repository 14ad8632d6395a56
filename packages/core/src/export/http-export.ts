import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { ExportResult } from './span-exporter';

/** One export request, as exporters build it. */
export interface HttpExportRequest {
  /** Collector URL (`http:` or `https:`). */
  url: string | URL;
  /** Encoded batch. */
  body: string | Uint8Array;
  /** Request headers (content type, auth, ...). */
  headers?: Readonly<Record<string, string>>;
  /** Aborts the request (the processor's export timeout). */
  signal?: AbortSignal;
  /** Longest time for this request, in ms. Default 10000. */
  timeoutMillis?: number;
  /** Largest response body kept, in bytes (the rest is discarded). Default 64 KiB. */
  maxResponseBytes?: number;
}

/** What came back: the export result, and the response when there was one. */
export interface HttpExportResponse {
  result: ExportResult;
  statusCode?: number;
  /** The first `maxResponseBytes` of the response body. */
  body?: Buffer;
}

// OTLP/HTTP specification, "Failures": these statuses may succeed if retried; all other
// non-2xx statuses are permanent.
const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);
const MAX_RETRY_AFTER_MS = 5 * 60_000;

/** Parses `Retry-After` (delay in seconds, or an HTTP date) into milliseconds, capped at 5 minutes. */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  let ms: number;
  if (/^[0-9]{1,10}$/.test(trimmed)) ms = Number(trimmed) * 1000;
  else {
    const date = Date.parse(trimmed);
    if (Number.isNaN(date)) return undefined;
    ms = date - now;
  }
  return Math.min(Math.max(0, ms), MAX_RETRY_AFTER_MS);
}

/** Classifies an HTTP response status as an export result (OTLP's rules, used by every HTTP exporter). */
export function resultForStatus(status: number, retryAfter: string | undefined): ExportResult {
  if (status >= 200 && status < 300) return { code: 'success' };
  const error = new Error(`collector responded ${status}`);
  if (!RETRYABLE_STATUS.has(status)) return { code: 'failed', error };
  const retryAfterMillis = parseRetryAfter(retryAfter);
  return retryAfterMillis === undefined ? { code: 'retryable', error } : { code: 'retryable', retryAfterMillis, error };
}

function readBody(response: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    response.on('data', (chunk: Buffer) => {
      if (size < limit) chunks.push(chunk.subarray(0, limit - size));
      size += chunk.length;
    });
    response.on('end', () => resolve(Buffer.concat(chunks)));
    response.on('error', () => resolve(Buffer.concat(chunks)));
    response.on('aborted', () => resolve(Buffer.concat(chunks)));
  });
}

/**
 * POSTs one encoded batch and classifies the outcome: 2xx success; 429, 502, 503, 504 and
 * network errors retryable (with `Retry-After` honoured); other statuses permanent. Never
 * rejects. The response body is drained (so keep-alive sockets are reused) and its start kept
 * for exporters that read it (OTLP partial success).
 */
export function sendHttpExport(options: HttpExportRequest): Promise<HttpExportResponse> {
  return new Promise<HttpExportResponse>((resolve) => {
    let settled = false;
    const finish = (response: HttpExportResponse): void => {
      if (settled) return;
      settled = true;
      resolve(response);
    };
    let url: URL;
    try {
      url = typeof options.url === 'string' ? new URL(options.url) : options.url;
    } catch {
      finish({ result: { code: 'failed', error: new Error('invalid collector URL') } });
      return;
    }
    if (options.signal?.aborted === true) {
      finish({ result: { code: 'failed', error: new Error('export aborted') } });
      return;
    }
    const body = typeof options.body === 'string' ? Buffer.from(options.body) : options.body;
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const request = send(url, {
      method: 'POST',
      headers: { ...options.headers, 'content-length': String(body.byteLength) },
      timeout: options.timeoutMillis ?? 10_000,
      signal: options.signal,
    });
    request.on('response', (response) => {
      const status = response.statusCode ?? 0;
      const retryAfter = response.headers['retry-after'];
      void readBody(response, options.maxResponseBytes ?? 64 * 1024).then((data) =>
        finish({ result: resultForStatus(status, typeof retryAfter === 'string' ? retryAfter : undefined), statusCode: status, body: data }),
      );
    });
    request.on('timeout', () => request.destroy(new Error(`no response within ${options.timeoutMillis ?? 10_000} ms`)));
    request.on('error', (error: Error) => {
      // Aborted by the processor: it already gave up; anything else (refused, reset, DNS) may pass on retry.
      const aborted = options.signal?.aborted === true;
      finish({ result: aborted ? { code: 'failed', error: new Error('export aborted') } : { code: 'retryable', error } });
    });
    request.end(body);
  });
}
