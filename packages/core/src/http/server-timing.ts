import type { ServerResponse } from 'node:http';
import { isSpanContextValid, type SpanContext } from '../span-context';

const HEADER = 'server-timing';
// trace-flags by (sampled | random-trace-id), as in traceparent: the other bits MUST be zero.
const FLAGS = ['00', '01', '02', '03'];

/**
 * The W3C Trace Context response metric naming `context` (Trace Context, "Trace Context Server
 * Timing Metric Format"): name `trace` in lowercase, `desc` the version-00 value
 * `00-<trace-id>-<span-id>-<trace-flags>` (lowercase hex and `-`, a token: never quoted), no `dur`.
 * The sampled flag says whether this server recorded the request; the random-trace-id flag is
 * the one the trace carries. `undefined` for a context without valid ids.
 */
export function traceMetric(context: SpanContext): string | undefined {
  if (!isSpanContextValid(context)) return undefined;
  const flags = (context.sampled === true ? 1 : 0) | (context.randomTraceId === true ? 2 : 0);
  return `trace;desc=00-${context.traceId}-${context.spanId}-${FLAGS[flags]}`;
}

/** True when a header value (one line or several) already lists `metric`. */
function lists(value: unknown, metric: string): boolean {
  const lines = Array.isArray(value) ? value : [value];
  return lines.some((line) => String(line).split(',').some((entry) => entry.trim() === metric));
}

/** `value` (what the app set, if anything) with `metric` added at the end of the list. */
function withMetric(value: unknown, metric: string): string | string[] {
  if (value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0)) return metric;
  if (lists(value, metric)) return Array.isArray(value) ? value.map(String) : String(value);
  // RFC 9110 §5.3: one comma-separated line is the same field as several lines.
  return `${(Array.isArray(value) ? value : [value]).map(String).join(', ')}, ${metric}`;
}

/**
 * Makes sure the response about to be sent lists `metric`, whatever `writeHead` was given:
 * headers passed to `writeHead` replace those set before (Node's rule), so ours joins theirs.
 */
function addToWriteHead(res: ServerResponse, args: unknown[], metric: string): void {
  const at = typeof args[1] === 'string' ? 2 : 1; // writeHead(status, [statusMessage], [headers])
  const headers = args[at];
  if (Array.isArray(headers)) {
    // Flat [name, value, ...]: the pairs replace the field set before (Node 20 sets each pair,
    // later Node versions drop the set field and append the pairs). Their Server-Timing pairs
    // become one, with ours at the end, whichever Node runs.
    if (headers.length % 2 === 0 && headers.every((entry, i) => i % 2 === 1 || typeof entry === 'string')) {
      const isServerTiming = (i: number): boolean => (headers[i - (i % 2)] as string).toLowerCase() === HEADER;
      const values = headers.filter((_, i) => i % 2 === 1 && isServerTiming(i));
      if (values.length > 0) {
        args[at] = [...headers.filter((_, i) => !isServerTiming(i)), HEADER, withMetric(values, metric)];
        return;
      }
    }
  } else if (headers !== null && typeof headers === 'object') {
    const name = Object.keys(headers).find((key) => key.toLowerCase() === HEADER);
    if (name !== undefined) {
      args[at] = { ...headers, [name]: withMetric((headers as Record<string, unknown>)[name], metric) };
      return;
    }
  }
  res.setHeader(HEADER, withMetric(res.getHeader(HEADER), metric));
}

/**
 * Adds `metric` to the response's Server-Timing header: now (so it is there for code that reads
 * the header, and present even if the handler streams the body), and again as the head is
 * written, appended to any metrics the app set meanwhile (a later `setHeader('server-timing', …)`
 * replaces the field; Express's final handler and Koa's error handling clear all headers).
 * The app's metrics are kept, ours is listed once. Never throws; does nothing once headers
 * are sent.
 */
export function addServerTiming(res: ServerResponse, metric: string): void {
  if (res.headersSent) return;
  try {
    res.setHeader(HEADER, withMetric(res.getHeader(HEADER), metric));
  } catch {
    // An unusable value the app set: leave the response as it is.
  }
  const writeHead = res.writeHead;
  let added = false;
  // Node's implicit head (first write() or end()) also goes through writeHead.
  res.writeHead = function writeHeadWithTrace(this: ServerResponse, ...args: unknown[]): ServerResponse {
    if (!added && !this.headersSent) {
      added = true;
      try {
        addToWriteHead(this, args, metric);
      } catch {
        // Never break the response for the metric.
      }
    }
    return (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args);
  } as ServerResponse['writeHead'];
}
