import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { spansFromOtlpJson, spansFromOtlpProtobuf } from './otlp-receiver';
import { SpanFile } from './span-file';
import { BadRequest, type StoredSpan } from './stored-span';
import { TraceStore } from './trace-store';
import { spansFromZipkin } from './zipkin-receiver';

const gunzipAsync = promisify(gunzip);

/** Options of {@link startViewer}. */
export interface ViewerOptions {
  /** Port (default 4318, the OTLP/HTTP port, so exporters need no configuration; 0 picks a free one). */
  port?: number;
  /** Interface (default 127.0.0.1: the viewer is for this machine; use 0.0.0.0 to share it). */
  host?: string;
  /** Append spans to this JSON-lines file and reload it at start. */
  dataFile?: string;
  /** Spans kept in memory; the oldest traces go first. Default 100000. */
  maxSpans?: number;
  /** Largest request body, in bytes, before and after gzip. Default 16 MiB. */
  maxBodyBytes?: number;
  /** Where problems are reported. Default: console.warn. */
  log?: (message: string) => void;
}

/** A running viewer. */
export interface RunningViewer {
  /** e.g. `http://127.0.0.1:4318` */
  readonly url: string;
  readonly port: number;
  /** The spans received so far. */
  readonly store: TraceStore;
  close(): Promise<void>;
}

const UI_FILES: Readonly<Record<string, readonly [string, string]>> = {
  '/': ['ui/index.html', 'text/html; charset=utf-8'],
  '/index.html': ['ui/index.html', 'text/html; charset=utf-8'],
  '/styles.css': ['ui/styles.css', 'text/css; charset=utf-8'],
  '/app.js': ['dist/ui/app.js', 'text/javascript; charset=utf-8'],
};
const PACKAGE_DIR = join(__dirname, '..');

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'access-control-allow-origin': '*' }).end(text);
}

/** Reads a request body up to `limit` bytes (then BadRequest), gunzipping it if it says so. */
async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new BadRequest(`request body of ${declared} bytes is over the limit of ${limit}`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new BadRequest(`request body is over the limit of ${limit} bytes`);
    chunks.push(chunk);
  }
  const body = Buffer.concat(chunks);
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding === 'identity') return body;
  if (encoding !== 'gzip') throw new BadRequest(`unsupported content-encoding ${encoding} (gzip or none)`);
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
    throw new BadRequest(`malformed JSON: ${(error as Error).message}`);
  }
}

function positiveNumber(value: string | null): number | undefined {
  if (value === null || value === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/**
 * Starts the local collector and UI on one port: `POST /v1/traces` (OTLP/HTTP, JSON or
 * protobuf, gzip), `POST /api/v2/spans` (Zipkin v2 JSON), the JSON API (`GET /api/services`,
 * `GET /api/traces`, `GET /api/traces/:id`) and the web UI at `/`. Bad input gets a 400 with a
 * message and changes nothing stored.
 *
 * @example
 * const viewer = await startViewer({ port: 4318 });
 * console.log(`open ${viewer.url}`);
 */
export async function startViewer(options: ViewerOptions = {}): Promise<RunningViewer> {
  const maxBodyBytes = options.maxBodyBytes ?? 16 * 1024 * 1024;
  const log = options.log ?? ((message: string) => console.warn(`[tracewell-viewer] ${message}`));
  const store = new TraceStore(options.maxSpans ?? 100_000);
  const file = options.dataFile === undefined ? undefined : new SpanFile(options.dataFile, (error) => log(`could not write ${options.dataFile}: ${error.message}`));
  if (file !== undefined) store.add(await file.load());

  const receive = (spans: StoredSpan[]): void => {
    store.add(spans);
    if (file !== undefined && spans.length > 0) void file.append(spans);
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://viewer');
    const path = url.pathname;
    if (req.method === 'OPTIONS') {
      // Browser OTLP exporters send a preflight before posting JSON.
      res.writeHead(204, { 'access-control-allow-origin': '*', 'access-control-allow-methods': 'POST, GET', 'access-control-allow-headers': 'content-type, content-encoding' }).end();
      return;
    }
    if (req.method === 'POST' && (path === '/v1/traces' || path === '/api/v2/spans')) {
      const body = await readBody(req, maxBodyBytes);
      if (path === '/api/v2/spans') {
        receive(spansFromZipkin(parseJson(body)));
        res.writeHead(202, { 'access-control-allow-origin': '*' }).end();
        return;
      }
      const json = (req.headers['content-type'] ?? '').toLowerCase().startsWith('application/json');
      receive(json ? spansFromOtlpJson(parseJson(body)) : spansFromOtlpProtobuf(body));
      if (json) send(res, 200, {});
      else res.writeHead(200, { 'content-type': 'application/x-protobuf', 'access-control-allow-origin': '*' }).end();
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, { error: `${req.method} is not supported here` });
    if (path === '/api/services') return send(res, 200, { services: store.services() });
    if (path === '/api/traces') {
      const q = url.searchParams;
      const limit = positiveNumber(q.get('limit'));
      return send(res, 200, {
        traces: store.list({
          service: q.get('service') || undefined,
          name: q.get('name') || undefined,
          minDurationMs: positiveNumber(q.get('minDurationMs')),
          errorsOnly: q.get('errors') === 'true',
          limit: limit === undefined ? undefined : Math.min(1000, Math.max(1, Math.floor(limit))),
        }),
      });
    }
    const traceMatch = /^\/api\/traces\/([0-9a-fA-F]{32})$/.exec(path);
    if (traceMatch !== null) {
      const spans = store.trace(traceMatch[1]!.toLowerCase());
      return spans === undefined ? send(res, 404, { error: 'no such trace' }) : send(res, 200, { traceId: traceMatch[1]!.toLowerCase(), spans });
    }
    const asset = UI_FILES[path];
    if (asset !== undefined) {
      const content = await readFile(join(PACKAGE_DIR, asset[0]));
      res.writeHead(200, { 'content-type': asset[1], 'cache-control': 'no-cache' }).end(content);
      return;
    }
    send(res, 404, { error: 'not found' });
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (error instanceof BadRequest) return send(res, 400, { error: error.message });
      log(`request failed: ${error instanceof Error ? error.message : String(error)}`);
      if (!res.headersSent) send(res, 500, { error: 'internal error' });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 4318, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${address.port}`,
    port: address.port,
    store,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
