import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { invalidOption } from '../errors';
import { getTracer } from '../global';
import { NonRecordingSpan } from '../non-recording-span';
import type { Span } from '../span';
import { SpanKind } from '../span-kind';
import { SpanStatusCode } from '../span-status';
import { extractIncoming, type Tracer } from '../tracer';
import * as attr from './attribute-names';
import { compileHeaderRecording, type HeaderRecorder, type HeaderRecordingOptions } from './header-recording';
import { compileMatcher, type MatchRule, type MatchRules } from './matchers';
import { compileQueryRecording, type QueryRecordingOptions, type QueryRedactor } from './query-recording';
import { parseAuthority, parseRequestTarget, type RequestTarget } from './request-target';
import { addServerTiming, traceMetric } from './server-timing';

/**
 * Options every server middleware takes (Express, Koa). `Req`/`Res` are the framework's
 * objects. Query strings and headers are recorded only when asked (`recordQuery`,
 * `recordHeaders`); bodies never are.
 */
export interface ServerTracingOptions<Req, Res> extends QueryRecordingOptions, HeaderRecordingOptions {
  /** Tracer to use. Default: `getTracer()` at each request (so `setGlobalTracer` later still applies). */
  tracer?: Tracer;
  /**
   * Requests to leave untraced (e.g. health checks): exact paths, RegExps tested on the path
   * (no query string; `/x` for an absolute-form `GET http://host/x`), or predicates. They get
   * no span, but a caller's context is still active, so their outgoing calls continue the
   * caller's trace.
   */
  ignore?: MatchRules<Req>;
  /** Names the span at the end of the request; return `undefined` for the default `METHOD /route`. */
  spanName?: (req: Req) => string | undefined;
  /** Called once the span has started, e.g. to add attributes from the request. */
  requestHook?: (span: Span, req: Req) => void;
  /** Called just before the span ends, e.g. to add attributes from the response. */
  responseHook?: (span: Span, req: Req, res: Res) => void;
  /**
   * For platforms that throttle CPU once the response is sent (Cloud Run with request-based
   * billing, Cloud Functions): end the request's span and flush the tracer before the response
   * goes out. Each response waits for the export (one round trip to the backend). Default false.
   */
  flushOnResponse?: boolean;
  /**
   * Answer each traced request with its SERVER span in a `Server-Timing` metric, the W3C Trace
   * Context response binding: `server-timing: trace;desc=00-<trace-id>-<span-id>-<flags>`, with
   * the flags of `traceparent`: sampled (`01`) when the span is recorded, and the random-trace-id
   * bit (`02`) as the trace carries it, so a caller's `-01` reads `01`, `-00` reads `00`, and a
   * trace this server starts reads `03` (or `02` unsampled). A browser reads it from
   * `PerformanceServerTiming` to link a page load to the server's trace. Metrics the app sets are
   * kept (ours is appended). Ignored requests get none. It shows the trace and span ids to
   * whoever sees the response. Default false.
   */
  serverTiming?: boolean;
}

/** What an adapter tells core about its framework. */
export interface ServerFramework<Req, Res> {
  /** Name used in option errors, e.g. `traceMiddleware`. */
  readonly name: string;
  nodeRequest(req: Req): IncomingMessage;
  nodeResponse(res: Res): ServerResponse;
  /** The matched route template (with mount prefixes), read when the response ends. */
  routeOf(req: Req): string | undefined;
}

interface RequestState {
  readonly tracing: ServerTracing<unknown, unknown>;
  readonly span: Span;
  readonly method: string;
  readonly req: unknown;
  readonly res: unknown;
}

// Per-response state rides on Node's response under a symbol (hidden from keys and JSON), so the
// 'finish'/'close' listeners can be shared functions: no closure and no WeakMap entry per request.
const STATE = Symbol('tracewell.serverSpan');
type TracedResponse = ServerResponse & { [STATE]?: RequestState };

function defaultPort(scheme: string | undefined): number | undefined {
  return scheme === 'https' ? 443 : scheme === 'http' ? 80 : undefined;
}

/** The server's address and port, never with userinfo. */
function serverAddress(target: RequestTarget, host: string | undefined, connectionScheme: string): { address: string | undefined; port: number | undefined } {
  // RFC 9112 §3.2.2: with an absolute-form target, its authority is the host and Host is ignored.
  if (target.authority !== undefined) {
    return { address: target.authority.host, port: target.authority.port ?? defaultPort(target.scheme) ?? defaultPort(connectionScheme) };
  }
  const authority = host === undefined || host === '' ? undefined : hostAuthority(host);
  return { address: authority?.host, port: authority?.port ?? defaultPort(connectionScheme) };
}

// A server sees the same Host header on nearly every request: the last one's parse is kept, so
// the spans waiting for export share one address string instead of holding a copy each.
let lastHost = '';
let lastAuthority: ReturnType<typeof parseAuthority>;

function hostAuthority(host: string): ReturnType<typeof parseAuthority> {
  if (host !== lastHost) {
    lastAuthority = parseAuthority(host);
    lastHost = host;
  }
  return lastAuthority;
}

// Node makes `httpVersion` anew for each request; the usual values are shared constants instead.
const PROTOCOL_VERSIONS = new Map(['1.0', '1.1', '2.0'].map((v) => [v, v]));

/** What `ignore` rules see: strings and RegExps the target's path, predicates the request. */
interface IgnoreInput<Req> {
  readonly req: Req;
  readonly path: string;
}

function ignoreRules<Req>(rules: MatchRules<Req> | undefined): MatchRules<IgnoreInput<Req>> | undefined {
  const adapt = (rule: MatchRule<Req>): MatchRule<IgnoreInput<Req>> => (typeof rule === 'function' ? (input) => rule(input.req) : rule);
  if (rules === undefined) return undefined;
  return Array.isArray(rules) ? (rules as ReadonlyArray<MatchRule<Req>>).map(adapt) : adapt(rules as MatchRule<Req>);
}

function onFinish(this: ServerResponse): void {
  finish(this, false);
}

function onClose(this: ServerResponse): void {
  finish(this, !this.writableFinished);
}

function safely(fn: () => void): void {
  try {
    fn();
  } catch {
    // A user hook that throws must not break the request or the span's end.
  }
}

/**
 * Holds `res.end()` until the request's span has ended and the tracer has flushed, so the spans
 * leave while the platform still gives the process CPU. The response is sent whatever the
 * export's outcome.
 */
function flushBeforeEnd(res: ServerResponse, tracer: Tracer): void {
  const end = res.end;
  res.end = function endAfterFlush(this: ServerResponse, ...args: unknown[]): ServerResponse {
    res.end = end;
    finish(res, false);
    const send = (): void => void (end as (...a: unknown[]) => ServerResponse).apply(res, args);
    tracer.flush().then(send, send);
    return res;
  } as ServerResponse['end'];
}

function finish(res: TracedResponse, aborted: boolean): void {
  const state = res[STATE];
  if (state === undefined) return;
  // Cleared, not deleted: a delete would turn the response into a slow dictionary object.
  res[STATE] = undefined;
  res.removeListener('finish', onFinish);
  res.removeListener('close', onClose);
  const { span, tracing, method, req } = state;
  if (span.isRecording()) {
    try {
      tracing.describeEnd(span, method, req, state.res, res, aborted);
    } catch {
      // A user hook that throws must not break the span's end.
    }
  }
  span.end();
}

/**
 * Server-side HTTP semantics shared by the Express and Koa middleware: continue the caller's
 * trace, one SERVER span per request named by route template, OpenTelemetry's HTTP attributes,
 * status from the response, and an end that happens exactly once (response finished, or the
 * connection closed first). Options are checked once, when the middleware is created.
 */
export class ServerTracing<Req, Res> {
  private readonly tracer: Tracer | undefined;
  private readonly ignore: ((input: IgnoreInput<Req>) => boolean) | undefined;
  private readonly spanName: ServerTracingOptions<Req, Res>['spanName'];
  private readonly requestHook: ServerTracingOptions<Req, Res>['requestHook'];
  private readonly responseHook: ServerTracingOptions<Req, Res>['responseHook'];
  private readonly flushOnResponse: boolean;
  private readonly serverTiming: boolean;
  private readonly redactQuery: QueryRedactor | undefined;
  private readonly requestHeaders: HeaderRecorder | undefined;
  private readonly responseHeaders: HeaderRecorder | undefined;

  /**
   * @param options - the user's options (validated here; errors name `framework.name`)
   * @param framework - how to read the framework's objects
   */
  constructor(
    options: ServerTracingOptions<Req, Res> | undefined,
    private readonly framework: ServerFramework<Req, Res>,
  ) {
    const o = options ?? {};
    const name = framework.name;
    if (o === null || typeof o !== 'object') throw invalidOption(`${name}(options)`, 'an object', o);
    if (o.tracer !== undefined && (o.tracer === null || typeof o.tracer.startSpan !== 'function')) throw invalidOption(`${name}.tracer`, 'a Tracer', o.tracer);
    for (const hook of ['spanName', 'requestHook', 'responseHook'] as const) {
      if (o[hook] !== undefined && typeof o[hook] !== 'function') throw invalidOption(`${name}.${hook}`, 'a function', o[hook]);
    }
    this.tracer = o.tracer;
    // Path rules see the path as RFC 9112 §3.2 defines it: an absolute-form target matches too.
    this.ignore = compileMatcher(ignoreRules(o.ignore), `${name}.ignore`, (input: IgnoreInput<Req>) => input.path, 'a path string, a RegExp, a function (req) => boolean, or an array of them');
    this.spanName = o.spanName;
    this.requestHook = o.requestHook;
    this.responseHook = o.responseHook;
    if (o.flushOnResponse !== undefined && typeof o.flushOnResponse !== 'boolean') throw invalidOption(`${name}.flushOnResponse`, 'true or false', o.flushOnResponse);
    this.flushOnResponse = o.flushOnResponse === true;
    if (o.serverTiming !== undefined && typeof o.serverTiming !== 'boolean') throw invalidOption(`${name}.serverTiming`, 'true or false', o.serverTiming);
    this.serverTiming = o.serverTiming === true;
    this.redactQuery = compileQueryRecording(o, name);
    const headers = compileHeaderRecording(o, name);
    this.requestHeaders = headers.request;
    this.responseHeaders = headers.response;
  }

  /** The tracer requests use now. */
  currentTracer(): Tracer {
    return this.tracer ?? getTracer();
  }

  /**
   * Starts the request's span and arranges its end. For an ignored request, returns a
   * non-recording span carrying the caller's context (or none). Never throws.
   */
  start(req: Req, res: Res): Span {
    const tracer = this.currentTracer();
    const nodeReq = this.framework.nodeRequest(req);
    const nodeRes = this.framework.nodeResponse(res);
    const parent = extractIncoming(tracer, nodeReq);
    // Parsed only when needed: an unsampled request without `ignore` rules skips it.
    let target: RequestTarget | undefined;
    if (this.ignore !== undefined) {
      target = parseRequestTarget(nodeReq.url);
      if (this.ignore({ req, path: target.path ?? '' })) return new NonRecordingSpan(parent ?? { traceId: '', spanId: '' }, tracer);
    }
    const { method, original } = attr.normalizeMethod(nodeReq.method);
    // A server span continues the caller or starts a trace: never the context the server was
    // created in (AsyncLocalStorage would otherwise hand it the context of listen()).
    const span = tracer.startSpan(attr.httpSpanName(method, undefined), { kind: SpanKind.SERVER, parent: parent ?? null });
    // Before any hook or handler runs, for recorded and unrecorded spans alike (flags say which).
    if (this.serverTiming) {
      const metric = traceMetric(span.spanContext());
      if (metric !== undefined) safely(() => addServerTiming(nodeRes, metric));
    }
    const recording = span.isRecording();
    if (recording) this.describeStart(span, nodeReq, target ?? parseRequestTarget(nodeReq.url), method, original);
    if (this.requestHook !== undefined) safely(() => this.requestHook!(span, req));
    // An unrecorded span has nothing to end: no state, no listeners (most requests, sampled at
    // a few traces a second, take this path).
    if (!recording) return span;
    (nodeRes as TracedResponse)[STATE] = { tracing: this as ServerTracing<unknown, unknown>, span, method, req, res };
    // `on`, not `once`: finish() removes both, and `once` would allocate a wrapper per listener.
    nodeRes.on('finish', onFinish);
    nodeRes.on('close', onClose);
    if (this.flushOnResponse) flushBeforeEnd(nodeRes, tracer);
    return span;
  }

  // Attributes are built only for recording spans: an unsampled request skips this work.
  private describeStart(span: Span, req: IncomingMessage, target: RequestTarget, method: string, original: string | undefined): void {
    const scheme = (req.socket as TLSSocket | undefined)?.encrypted === true ? 'https' : 'http';
    const { address, port } = serverAddress(target, req.headers.host, scheme);
    // One call per attribute: an object literal here cost an allocation and a key walk per request.
    span.setAttribute(attr.HTTP_REQUEST_METHOD, method);
    if (original !== undefined) span.setAttribute(attr.HTTP_REQUEST_METHOD_ORIGINAL, original);
    span.setAttribute(attr.URL_PATH, target.path);
    span.setAttribute(attr.URL_SCHEME, scheme);
    span.setAttribute(attr.SERVER_ADDRESS, address);
    span.setAttribute(attr.SERVER_PORT, port);
    span.setAttribute(attr.CLIENT_ADDRESS, req.socket?.remoteAddress);
    span.setAttribute(attr.USER_AGENT_ORIGINAL, req.headers['user-agent']);
    span.setAttribute(attr.NETWORK_PROTOCOL_VERSION, PROTOCOL_VERSIONS.get(req.httpVersion) ?? req.httpVersion);
    if (this.redactQuery !== undefined) {
      if (target.query !== undefined) span.setAttribute(attr.URL_QUERY, this.redactQuery(target.query));
    }
    if (this.requestHeaders !== undefined) span.setAttributes(this.requestHeaders((name) => req.headers[name]));
  }

  /** @internal Names the span and records the outcome, just before it ends. */
  describeEnd(span: Span, method: string, req: Req, res: Res, nodeRes: ServerResponse, aborted: boolean): void {
    // try/catch in place, not safely(): its closures were an allocation each per request.
    let route: string | undefined;
    try {
      route = this.framework.routeOf(req);
    } catch {
      // An exotic framework object: the span keeps its method-only name.
    }
    let name: string | undefined;
    if (this.spanName !== undefined) {
      try {
        name = this.spanName(req);
      } catch {
        // A user hook that throws must not break the request or the span's end.
      }
    }
    span.updateName(typeof name === 'string' ? name : attr.httpSpanName(method, route));
    if (route !== undefined) span.setAttribute(attr.HTTP_ROUTE, route);
    if (aborted) {
      span.setAttribute(attr.ERROR_TYPE, 'aborted');
      span.setStatus({ code: SpanStatusCode.ERROR, message: 'client closed the connection before the response was sent' });
    } else {
      const status = nodeRes.statusCode;
      span.setAttribute(attr.HTTP_RESPONSE_STATUS_CODE, status);
      if (this.responseHeaders !== undefined) span.setAttributes(this.responseHeaders((name) => nodeRes.getHeader(name)));
      // Server spans: only 5xx is an error (a 4xx is the client's problem), per the conventions.
      if (status >= 500) {
        span.setAttribute(attr.ERROR_TYPE, String(status));
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
    }
    if (this.responseHook !== undefined) safely(() => this.responseHook!(span, req, res));
  }
}
