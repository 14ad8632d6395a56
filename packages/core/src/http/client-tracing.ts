import { invalidOption } from '../errors';
import { getTracer } from '../global';
import type { Span } from '../span';
import { SpanKind } from '../span-kind';
import { SpanStatusCode } from '../span-status';
import type { Tracer } from '../tracer';
import * as attr from './attribute-names';
import { compileHeaderRecording, type HeaderLookup, type HeaderRecorder, type HeaderRecordingOptions } from './header-recording';
import { compileMatcher, type MatchRules } from './matchers';
import { compileQueryRecording, type QueryRecordingOptions, type QueryRedactor } from './query-recording';

/**
 * Options every HTTP client instrumentation takes (axios). Query strings and headers are
 * recorded only when asked (`recordQuery`, `recordHeaders`); bodies never are.
 */
export interface ClientTracingOptions extends QueryRecordingOptions, HeaderRecordingOptions {
  /** Tracer to use. Default: `getTracer()` at each request. */
  tracer?: Tracer;
  /**
   * Hosts that receive trace headers: host names (exact), RegExps tested on the host name, or
   * predicates. Default: every host. Requests to other hosts still get a span.
   */
  propagateTo?: MatchRules<string>;
}

/** A started client request: its span and the headers to send (none when propagation is not allowed). */
export interface ClientRequestTrace {
  readonly span: Span;
  readonly headers: Readonly<Record<string, string>> | undefined;
}

/**
 * The URL as recorded: no user name or password, no fragment, and no query string unless
 * `redactQuery` is given (it turns the query into what may be recorded).
 */
export function redactUrl(url: URL, redactQuery?: (query: string) => string): string {
  const base = `${url.protocol}//${url.host}${url.pathname}`;
  return redactQuery === undefined || url.search.length <= 1 ? base : `${base}?${redactQuery(url.search.slice(1))}`;
}

function defaultPort(protocol: string): number | undefined {
  return protocol === 'https:' ? 443 : protocol === 'http:' ? 80 : undefined;
}

function errorType(error: unknown): string {
  const e = error as { code?: unknown; name?: unknown } | null;
  if (e !== null && typeof e === 'object') {
    if (typeof e.code === 'string' && e.code !== '') return e.code;
    if (typeof e.name === 'string' && e.name !== '') return e.name;
  }
  return '_OTHER';
}

// The spans of calls in flight: a client library traced at its own level (axios) runs its
// transport inside its span (`runInCall`), and the transport-level instrumentation (node:http,
// undici) sees that the call already has a span. Entries live from start() to finish().
const callsInFlight = new WeakSet<Span>();

/**
 * True when `span` (normally the active one) is the span of a call in flight, started by a
 * {@link ClientTracing} and not yet finished: a request made now belongs to that call (its
 * transport, a redirect hop it follows) and must not get a span of its own.
 */
export function isCallInFlight(span: Span | undefined): boolean {
  return span !== undefined && callsInFlight.has(span);
}

/**
 * Client-side HTTP semantics shared by client instrumentations: a CLIENT span per request
 * (child of the active span), OpenTelemetry's attributes with a redacted URL, the headers to
 * inject, and the outcome (4xx/5xx and failures are errors for a client).
 */
export class ClientTracing {
  private readonly tracer: Tracer | undefined;
  private readonly propagateTo: ((host: string) => boolean) | undefined;
  private readonly redactQuery: QueryRedactor | undefined;
  private readonly requestHeaders: HeaderRecorder | undefined;
  private readonly responseHeaders: HeaderRecorder | undefined;

  /**
   * @param options - the user's options (validated here)
   * @param name - the instrumentation's name, used in option errors
   */
  constructor(options: ClientTracingOptions | undefined, name: string) {
    const o = options ?? {};
    if (o === null || typeof o !== 'object') throw invalidOption(`${name}(options)`, 'an object', o);
    if (o.tracer !== undefined && (o.tracer === null || typeof o.tracer.startSpan !== 'function')) throw invalidOption(`${name}.tracer`, 'a Tracer', o.tracer);
    this.tracer = o.tracer;
    this.propagateTo = compileMatcher(o.propagateTo, `${name}.propagateTo`, (host: string) => host, 'a host name, a RegExp, a function (host) => boolean, or an array of them');
    this.redactQuery = compileQueryRecording(o, name);
    const headers = compileHeaderRecording(o, name);
    this.requestHeaders = headers.request;
    this.responseHeaders = headers.response;
  }

  /**
   * True when `propagateTo` is set: a client that follows redirects itself must then check
   * every hop with {@link ClientTracing.mayPropagateTo}, or headers would reach hosts outside the list.
   */
  get limitsPropagation(): boolean {
    return this.propagateTo !== undefined;
  }

  /**
   * True when trace headers may be sent to `url` (absolute): always without `propagateTo`,
   * else only when its host matches (an unparsable URL never does). Never throws.
   *
   * @example
   * new ClientTracing({ propagateTo: ['api.internal'] }, 'myClient').mayPropagateTo('http://api.internal/x'); // true
   */
  mayPropagateTo(url: string): boolean {
    if (this.propagateTo === undefined) return true;
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      parsed = undefined;
    }
    return this.allows(parsed);
  }

  // With propagateTo set, headers go only where a rule allows: an unparsable URL gets none.
  private allows(url: URL | undefined): boolean {
    return this.propagateTo === undefined || (url !== undefined && this.propagateTo(url.hostname));
  }

  /**
   * Starts the span for a request to `url` (absolute) and computes its headers; `readHeader`
   * gives the request's own headers, for `recordHeaders`. `url` may be a function that computes
   * it: it is called only when something reads the URL (a recorded span, `propagateTo`), which
   * spares an unsampled call a client's own URL building. Never throws.
   */
  start(method: string | undefined, url: string | (() => string), readHeader?: HeaderLookup): ClientRequestTrace {
    const tracer = this.tracer ?? getTracer();
    // Clients such as axios keep methods in lowercase but send them uppercase on the wire.
    const { method: normalized, original } = attr.normalizeMethod(typeof method === 'string' ? method.toUpperCase() : method);
    const span = tracer.startSpan(attr.httpSpanName(normalized, undefined), { kind: SpanKind.CLIENT });
    // The URL is parsed only when something reads it: the attributes of a recorded span, or
    // propagateTo. Parsing was four tenths of an unsampled call's cost (bench/http-client.js).
    let parsed: URL | undefined;
    if (span.isRecording() || this.propagateTo !== undefined) {
      try {
        parsed = new URL(typeof url === 'function' ? url() : url);
      } catch {
        parsed = undefined;
      }
    }
    if (span.isRecording()) {
      // One call per attribute, as on the server: no object literal and key walk per call.
      span.setAttribute(attr.HTTP_REQUEST_METHOD, normalized);
      if (original !== undefined) span.setAttribute(attr.HTTP_REQUEST_METHOD_ORIGINAL, original);
      if (parsed !== undefined) {
        span.setAttribute(attr.URL_FULL, redactUrl(parsed, this.redactQuery));
        const host = parsed.hostname;
        // An IPv6 host is bracketed in URLs, not in server.address.
        span.setAttribute(attr.SERVER_ADDRESS, host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host);
        span.setAttribute(attr.SERVER_PORT, parsed.port === '' ? defaultPort(parsed.protocol) : Number(parsed.port));
      }
      if (this.requestHeaders !== undefined && readHeader !== undefined) span.setAttributes(this.requestHeaders(readHeader));
    }
    callsInFlight.add(span);
    if (!this.allows(parsed)) return { span, headers: undefined };
    const headers: Record<string, string> = {};
    tracer.inject(span, headers);
    return { span, headers };
  }

  /**
   * Runs `fn` (the call's transport: an adapter, a dispatcher) with the call's span active, so
   * the requests it makes are known to be this call ({@link isCallInFlight}) and are not traced again.
   */
  runInCall<R>(span: Span, fn: () => R): R {
    return (this.tracer ?? getTracer()).withSpan(span, fn);
  }

  /**
   * Records the outcome and ends the span: a status code, an error, or both; `readHeader` gives
   * the response's headers, for `recordHeaders`.
   */
  finish(span: Span, statusCode: number | undefined, error?: unknown, readHeader?: HeaderLookup): void {
    callsInFlight.delete(span);
    if (span.isRecording()) {
      if (statusCode !== undefined) span.setAttribute(attr.HTTP_RESPONSE_STATUS_CODE, statusCode);
      if (this.responseHeaders !== undefined && readHeader !== undefined) span.setAttributes(this.responseHeaders(readHeader));
      if (error !== undefined) {
        span.recordException(error);
        span.setAttribute(attr.ERROR_TYPE, statusCode !== undefined && statusCode >= 400 ? String(statusCode) : errorType(error));
        span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : undefined });
      } else if (statusCode !== undefined && statusCode >= 400) {
        span.setAttribute(attr.ERROR_TYPE, String(statusCode));
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
    }
    span.end();
  }
}
