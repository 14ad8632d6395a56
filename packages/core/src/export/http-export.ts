import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { timerMillis } from './deadline';
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
  /**
   * Deadline for the whole request (connect, send, status and headers, body), in ms. Default
   * 10000. The body gets at most 2 s of it once the status is known.
   */
  timeoutMillis?: number;
  /** Largest response body read, in bytes: past it the connection is closed. Default 64 KiB. */
  maxResponseBytes?: number;
}

/** What came back: the export result, and the response when there was one. */
export interface HttpExportResponse {
  result: ExportResult;
  statusCode?: number;
  /** The response body, cut at `maxResponseBytes` or where its time ran out. */
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

/**
 * Once the status is known, the body gets at most this long (and the request's own deadline,
 * whichever ends first): the status decides the result, and a body is at most diagnostics
 * (OTLP partial success, an API's error message), which a healthy collector sends with the
 * headers. A collector that trickles bytes after a 200 must not hold the export, or the
 * process, for the whole request timeout.
 */
const RESPONSE_BODY_MILLIS = 2000;
const DEFAULT_TIMEOUT_MILLIS = 10_000;
const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024;

/**
 * POSTs one encoded batch and classifies the outcome: 2xx success; 429, 502, 503, 504 and
 * network errors retryable (with `Retry-After` honoured); other statuses permanent. Never
 * rejects, and bounded whatever the collector does:
 *
 * - `timeoutMillis` (default 10 s) is a deadline for the whole request: connecting, sending,
 *   the status and headers, and the body. Without a status by then, the result is retryable.
 * - Once the status is known, the body is read for at most 2 s (within that deadline) and up to
 *   `maxResponseBytes` (default 64 KiB). Past either bound the connection is closed, not drained,
 *   and the result is the status's, with the part of the body that arrived.
 *
 * A body read to its end leaves the keep-alive socket to be reused.
 *
 * @example
 * const { result } = await sendHttpExport({ url, body, headers: { 'content-type': 'application/json' }, signal, timeoutMillis: 5000 });
 */
export function sendHttpExport(options: HttpExportRequest): Promise<HttpExportResponse> {
  return new Promise<HttpExportResponse>((resolve) => {
    let settled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const finish = (response: HttpExportResponse): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
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
    const timeoutMillis = timerMillis(options.timeoutMillis ?? DEFAULT_TIMEOUT_MILLIS, DEFAULT_TIMEOUT_MILLIS);
    const maxBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    const limit = maxBytes >= 0 ? maxBytes : DEFAULT_MAX_RESPONSE_BYTES;
    const deadline = performance.now() + timeoutMillis;
    const body = typeof options.body === 'string' ? Buffer.from(options.body) : options.body;
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    let request: ClientRequest;
    try {
      request = send(url, {
        method: 'POST',
        headers: { ...options.headers, 'content-length': String(body.byteLength) },
        signal: options.signal,
      });
    } catch (error) {
      // A header value Node refuses (a newline in a token, say) throws here: permanent.
      finish({ result: { code: 'failed', error: error instanceof Error ? error : new Error(String(error)) } });
      return;
    }
    // Not a socket idle timeout (a trickle of bytes would reset that): a deadline from the start.
    // Unref'd: the socket holds the process while the request lives; this only ends it.
    timer = setTimeout(() => request.destroy(new Error(`no response within ${timeoutMillis} ms`)), timeoutMillis);
    timer.unref();
    request.on('response', (response: IncomingMessage) => {
      const status = response.statusCode ?? 0;
      const retryAfter = response.headers['retry-after'];
      const result = resultForStatus(status, typeof retryAfter === 'string' ? retryAfter : undefined);
      const chunks: Buffer[] = [];
      let size = 0;
      const done = (): void => finish({ result, statusCode: status, body: Buffer.concat(chunks) });
      // Stop reading: close the connection rather than drain a body that may never end.
      const cut = (): void => {
        done();
        response.destroy();
      };
      clearTimeout(timer);
      timer = setTimeout(cut, Math.max(0, Math.min(RESPONSE_BODY_MILLIS, deadline - performance.now())));
      timer.unref();
      response.on('data', (chunk: Buffer) => {
        if (settled) return;
        if (size + chunk.length > limit) {
          chunks.push(chunk.subarray(0, limit - size));
          size = limit;
          cut();
          return;
        }
        chunks.push(chunk);
        size += chunk.length;
      });
      response.on('end', done);
      // Reset or aborted mid-body: the status still decides.
      response.on('error', done);
      response.on('close', done);
    });
    request.on('error', (error: Error) => {
      // Aborted by the processor: it already gave up; anything else (refused, reset, DNS,
      // the deadline) may pass on retry.
      const aborted = options.signal?.aborted === true;
      finish({ result: aborted ? { code: 'failed', error: new Error('export aborted') } : { code: 'retryable', error } });
    });
    request.end(body);
  });
}
