import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { AccessPolicy, isLoopbackHost, resolveAllowOrigins, type Refusal } from './access-policy';
import { readOtlpJson, readOtlpProtobuf } from './otlp-receiver';
import { emptyLimitCounters, SpanLimiter, type LimitCounters } from './span-limiter';
import { SpanFile } from './span-file';
import { BadRequest, normalizeId, type StoredSpan } from './stored-span';
import type { CompareAnswer, DependencyAnswer, LatencyAnswer, LinkTemplate, TraceDetailAnswer, TraceListAnswer, ViewerConfigAnswer } from './api-types';
import { resolveLinkTemplates } from './link-templates';
import { latencyOf } from './latency';
import { serviceMapOf } from './service-map';
import { compareTraces } from './trace-compare';
import { parsePage, parseTraceSearch } from './trace-search';
import { TraceStore, type TraceStoreStats } from './trace-store';
import { integerOption, resolveViewerLimits, type ViewerLimits } from './viewer-limits';
import { readZipkin } from './zipkin-receiver';

const gunzipAsync = promisify(gunzip);

/** Options of {@link startViewer}. Invalid values throw a TypeError naming the option. */
export interface ViewerOptions {
  /** Port (default 4318, the OTLP/HTTP port, so exporters need no configuration; 0 picks a free one). */
  port?: number;
  /**
   * Interface (default 127.0.0.1: the viewer is for this machine). On a loopback interface,
   * requests whose `Host` is not a loopback address or localhost name are refused (DNS
   * rebinding). `0.0.0.0` shares it with other machines, and then anyone who can reach the port
   * can read and write traces.
   */
  host?: string;
  /** Web page origins (`http://localhost:3000`) that may read the API and post spans from a browser, or `['*']`. Default: none but the viewer's own page. */
  allowOrigins?: string[];
  /** Append spans to this JSON-lines file and reload it at start. */
  dataFile?: string;
  /** Bound on the data file's size; past it the file is rewritten with the newest spans. Default: twice `limits.maxStoreBytes`. */
  maxDataFileBytes?: number;
  /** Spans kept in memory; the least recently updated traces go first. Default 100000. */
  maxSpans?: number;
  /** Largest request body, in bytes, before and after gzip. Default 16 MiB. */
  maxBodyBytes?: number;
  /** Bounds on what is stored: value nesting and length, span size, and the store's total size. */
  limits?: ViewerLimits;
  /** Where problems are reported. Default: console.warn. */
  log?: (message: string) => void;
  /**
   * Links out of the UI, per trace and per span: `{ name: 'Logs', url: 'https://…?q={traceId}' }`.
   * Placeholders: `{traceId}`, `{spanId}`, `{service}`, `{name}`, `{startTime}`, `{endTime}` (epoch
   * ms), `{attr:KEY}`; values are URL-encoded. Templates without span placeholders show on the trace.
   */
  links?: LinkTemplate[];
}

/** Counters of a running viewer (also `GET /api/stats`). */
export interface ViewerStats {
  /** What is held, and what was evicted to stay within `maxSpans` and `limits.maxStoreBytes`. */
  store: TraceStoreStats;
  /** Span requests accepted, and the spans in them. */
  received: { requests: number; spans: number };
  /** What the limits cut from accepted requests. */
  limits: LimitCounters;
  /** Requests refused: `host` and `origin` (403), `contentType` (415), `badRequest` (400: malformed or over a size bound). */
  refused: { host: number; origin: number; contentType: number; badRequest: number };
  /** Lines of the data file skipped at start (not a span, or too long). */
  dataFileSkipped: number;
}

/** A running viewer. */
export interface RunningViewer {
  /** e.g. `http://127.0.0.1:4318` */
  readonly url: string;
  readonly port: number;
  /** The spans received so far. */
  readonly store: TraceStore;
  /** Counters since start. */
  stats(): ViewerStats;
  close(): Promise<void>;
}

const UI_FILES: Readonly<Record<string, readonly [string, string]>> = {
  '/': ['ui/index.html', 'text/html; charset=utf-8'],
  '/index.html': ['ui/index.html', 'text/html; charset=utf-8'],
  '/styles.css': ['ui/styles.css', 'text/css; charset=utf-8'],
};
/** The UI's modules, one per view plus shared ones, all from dist/ui. */
const UI_MODULE = /^\/([a-z][a-z-]*)\.js$/;
const PACKAGE_DIR = join(__dirname, '..');

/**
 * The media types each receiver reads. Anything else is refused, so a browser's "simple"
 * cross-origin request (text/plain, form encodings: no preflight) can never write spans.
 */
const RECEIVERS: Readonly<Record<string, ReadonlyArray<string>>> = {
  '/v1/traces': ['application/x-protobuf', 'application/json'],
  '/api/v2/spans': ['application/json'],
};

function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';', 1)[0]!.trim().toLowerCase();
}

/** Bytes of an unwanted body read and thrown away at least (so small limits still answer cleanly). */
const DISCARD_AT_LEAST = 4 * 1024 * 1024;

/**
 * Reads and throws away the rest of a request body we will not use, up to `limit` bytes (at
 * least 4 MiB), so the client reads our answer instead of a reset connection; past that the
 * connection is closed (a client cannot keep us reading forever).
 */
function discardBody(req: IncomingMessage, limit: number): void {
  let left = Math.max(limit, DISCARD_AT_LEAST);
  req.on('data', (chunk: Buffer) => {
    left -= chunk.length;
    if (left < 0) req.socket.destroy();
  });
  req.resume();
}

/** Reads a request body up to `limit` bytes (then BadRequest), gunzipping it if it says so. */
async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const body = await new Promise<Buffer>((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) {
      discardBody(req, limit);
      return reject(new BadRequest(`request body of ${declared} bytes is over the limit of ${limit}`));
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      req.off('data', onData);
      chunks.length = 0;
      discardBody(req, limit);
      reject(new BadRequest(`request body is over the limit of ${limit} bytes`));
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding === 'identity') return body;
  if (encoding !== 'gzip') throw new BadRequest('unsupported content-encoding (gzip or none)');
  try {
    return await gunzipAsync(body, { maxOutputLength: limit });
  } catch (error) {
    throw new BadRequest(`gzip body could not be read (${(error as Error).message})`);
  }
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new BadRequest(`malformed JSON: ${(error as Error).message.slice(0, 200)}`);
  }
}

/**
 * Decodes a span request. Decoding is pure: any error in it means the body is not one we can
 * read, so it is a 400 like every other malformed body, never a 500.
 */
function decode(path: string, type: string, body: Buffer, limiter: SpanLimiter): StoredSpan[] {
  try {
    if (path === '/api/v2/spans') return readZipkin(parseJson(body), limiter);
    return type === 'application/json' ? readOtlpJson(parseJson(body), limiter) : readOtlpProtobuf(body, limiter);
  } catch (error) {
    if (error instanceof BadRequest) throw error;
    throw new BadRequest(`the body could not be decoded (${error instanceof Error ? error.name : 'error'})`);
  }
}

/** Pages of the list: 100 traces by default, at most 1,000. */
const LIST_PAGE = { default: 100, max: 1000 } as const;
/** Pages of one trace's spans: the whole of a default-sized store at most. */
const SPAN_PAGE = { default: 100_000, max: 100_000 } as const;
/** Rows of a comparison, at most. */
const MAX_COMPARED = 10_000;

function addCounters(into: LimitCounters, from: LimitCounters): void {
  into.valuesTruncated += from.valuesTruncated;
  into.valuesTooDeep += from.valuesTooDeep;
  into.attributesDropped += from.attributesDropped;
  into.eventsDropped += from.eventsDropped;
}

/**
 * Starts the local collector and UI on one port: `POST /v1/traces` (OTLP/HTTP, JSON or
 * protobuf, gzip), `POST /api/v2/spans` (Zipkin v2 JSON), the JSON API (`GET /api/services`,
 * `GET /api/traces` (search, paginated), `GET /api/traces/:id` (spans, paginated, with the
 * critical path), `GET /api/latency`, `GET /api/dependencies`, `GET /api/compare`,
 * `GET /api/stats`) and the web UI at `/`. Bad input
 * gets a 4xx with a message and changes nothing stored; what is stored is bounded by `limits`.
 *
 * @example
 * const viewer = await startViewer({ port: 4318 });
 * console.log(`open ${viewer.url}`);
 */
export async function startViewer(options: ViewerOptions = {}): Promise<RunningViewer> {
  if (options === null || typeof options !== 'object') throw new TypeError('startViewer(options): expected an object');
  const port = options.port === undefined ? 4318 : integerOption('port', options.port, 0);
  if (port > 65535) throw new TypeError(`port: expected an integer from 0 to 65535, got ${port}`);
  const host = options.host ?? '127.0.0.1';
  if (typeof host !== 'string' || host === '') throw new TypeError('host: expected an interface address or name, such as 127.0.0.1');
  const limits = resolveViewerLimits(options.limits, 'limits');
  const maxBodyBytes = options.maxBodyBytes === undefined ? 16 * 1024 * 1024 : integerOption('maxBodyBytes', options.maxBodyBytes, 1);
  const maxSpans = options.maxSpans === undefined ? 100_000 : integerOption('maxSpans', options.maxSpans, 1);
  const maxDataFileBytes = options.maxDataFileBytes === undefined ? 2 * limits.maxStoreBytes : integerOption('maxDataFileBytes', options.maxDataFileBytes, 2 * limits.maxSpanBytes);
  const policy = new AccessPolicy(isLoopbackHost(host), resolveAllowOrigins(options.allowOrigins, 'allowOrigins'));
  const config: ViewerConfigAnswer = { links: resolveLinkTemplates(options.links, 'links') };
  const log = options.log ?? ((message: string) => console.warn(`[tracewell-viewer] ${message}`));
  const store = new TraceStore(maxSpans, limits.maxStoreBytes);
  const counters = { received: { requests: 0, spans: 0 }, limits: emptyLimitCounters(), refused: { host: 0, origin: 0, contentType: 0, badRequest: 0 }, dataFileSkipped: 0 };
  const held = (): StoredSpan[][] => store.snapshot();
  const file =
    options.dataFile === undefined
      ? undefined
      : new SpanFile({ path: options.dataFile, maxBytes: maxDataFileBytes, maxLineBytes: 8 * limits.maxSpanBytes, maxValueDepth: limits.maxValueDepth, onError: (error) => log(`could not write ${options.dataFile}: ${error.message}`) });
  if (file !== undefined) {
    const loaded = await file.load((spans) => store.add(spans));
    counters.dataFileSkipped = loaded.skipped;
    if (loaded.skipped > 0) log(`skipped ${loaded.skipped} lines of ${options.dataFile} that were not spans`);
    await file.compactIfOver(held);
  }
  const stats = (): ViewerStats => ({
    store: store.stats(),
    received: { ...counters.received },
    limits: { ...counters.limits },
    refused: { ...counters.refused },
    dataFileSkipped: counters.dataFileSkipped,
  });

  const receive = (spans: StoredSpan[], limiter: SpanLimiter): void => {
    store.add(spans);
    counters.received.requests++;
    counters.received.spans += spans.length;
    addCounters(counters.limits, limiter.counters);
    if (file !== undefined && spans.length > 0) void file.append(spans, held);
  };

  async function handle(req: IncomingMessage, res: ServerResponse, cors: Record<string, string>): Promise<void> {
    const send = (status: number, body: unknown): void => {
      const text = JSON.stringify(body);
      res.writeHead(status, { ...cors, 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
    };
    const url = new URL(req.url ?? '/', 'http://viewer');
    const path = url.pathname;
    if (req.method === 'OPTIONS') {
      // A preflight reaches here only from the viewer's own page or an allowed origin.
      res.writeHead(204, { ...cors, 'access-control-allow-methods': 'POST, GET', 'access-control-allow-headers': 'content-type, content-encoding', 'access-control-max-age': '600' }).end();
      return;
    }
    const accepted = RECEIVERS[path];
    if (req.method === 'POST' && accepted !== undefined) {
      const type = mediaType(req);
      if (!accepted.includes(type)) {
        counters.refused.contentType++;
        discardBody(req, maxBodyBytes);
        return send(415, { error: `expected Content-Type ${accepted.join(' or ')}` });
      }
      const limiter = new SpanLimiter(limits);
      receive(decode(path, type, await readBody(req, maxBodyBytes), limiter), limiter);
      if (path === '/api/v2/spans') res.writeHead(202, cors).end();
      else if (type === 'application/json') send(200, {});
      else res.writeHead(200, { ...cors, 'content-type': 'application/x-protobuf' }).end();
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, { error: `${req.method} is not supported here` });
    if (path === '/api/services') return send(200, { services: store.services() });
    if (path === '/api/stats') return send(200, stats());
    if (path === '/api/config') return send(200, config);
    if (path === '/api/traces') {
      const page = parsePage(url.searchParams, LIST_PAGE.default, LIST_PAGE.max);
      const { traces, total } = store.list(parseTraceSearch(url.searchParams), page);
      return send(200, { traces, total, offset: page.offset, limit: page.limit } satisfies TraceListAnswer);
    }
    if (path === '/api/latency') return send(200, latencyOf(store.matching(parseTraceSearch(url.searchParams))) satisfies LatencyAnswer);
    if (path === '/api/dependencies') return send(200, serviceMapOf(store.matching(parseTraceSearch(url.searchParams))) satisfies DependencyAnswer);
    if (path === '/api/compare') {
      const ids = ['a', 'b'].map((key) => normalizeId(url.searchParams.get(key) ?? '', 'trace', key));
      const [a, b] = ids.map((id) => ({ summary: store.summary(id), spans: store.spansByStart(id) }));
      if (a!.spans === undefined || b!.spans === undefined) return send(404, { error: `no such trace: ${a!.spans === undefined ? ids[0] : ids[1]}` });
      const spans = compareTraces(a!.spans, b!.spans);
      return send(200, { a: a!.summary!, b: b!.summary!, spans: spans.slice(0, MAX_COMPARED), total: spans.length } satisfies CompareAnswer);
    }
    const traceMatch = /^\/api\/traces\/([0-9a-fA-F]{32})$/.exec(path);
    if (traceMatch !== null) {
      const traceId = traceMatch[1]!.toLowerCase();
      const spans = store.spansByStart(traceId);
      if (spans === undefined) return send(404, { error: 'no such trace' });
      const page = parsePage(url.searchParams, SPAN_PAGE.default, SPAN_PAGE.max);
      return send(200, { traceId, spans: spans.slice(page.offset, page.offset + page.limit), total: spans.length, offset: page.offset, limit: page.limit, analysis: store.analysis(traceId)! } satisfies TraceDetailAnswer);
    }
    const module = UI_MODULE.exec(path);
    if (module !== null) {
      const content = await readFile(join(PACKAGE_DIR, 'dist', 'ui', `${module[1]!}.js`)).catch(() => undefined);
      if (content !== undefined) return void res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' }).end(content);
    }
    const asset = UI_FILES[path];
    if (asset !== undefined) {
      const content = await readFile(join(PACKAGE_DIR, asset[0]));
      res.writeHead(200, { 'content-type': asset[1], 'cache-control': 'no-cache' }).end(content);
      return;
    }
    send(404, { error: 'not found' });
  }

  const refuse = (res: ServerResponse, reason: Refusal, message: string): void => {
    counters.refused[reason]++;
    const text = JSON.stringify({ error: message });
    // Nothing more from this client is read: the connection closes after the answer.
    res.writeHead(403, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), connection: 'close' }).end(text);
  };

  const server: Server = createServer((req, res) => {
    const origin = req.headers.origin;
    const decision = policy.decide(req.headers.host, typeof origin === 'string' ? origin : undefined);
    if (decision.refused !== undefined) return refuse(res, decision.refused, decision.message);
    const cors: Record<string, string> = decision.corsOrigin === undefined ? {} : { 'access-control-allow-origin': decision.corsOrigin, vary: 'Origin' };
    handle(req, res, cors).catch((error: unknown) => {
      if (res.headersSent) return void res.destroy();
      if (error instanceof BadRequest) {
        counters.refused.badRequest++;
        const text = JSON.stringify({ error: error.message });
        res.writeHead(400, { ...cors, 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
        return;
      }
      log(`request failed: ${error instanceof Error ? error.message : String(error)}`);
      res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"internal error"}');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shown === '0.0.0.0' ? '127.0.0.1' : shown === '[::]' ? '[::1]' : shown}:${address.port}`,
    port: address.port,
    store,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
