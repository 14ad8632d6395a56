// A stand-in for the viewer's HTTP server, for the UI test: serves the UI files from the
// package exactly where the real server will (`/`, `/app.js`, `/styles.css`) and answers the
// three JSON API routes from fixture traces. Real HTTP on 127.0.0.1, port 0.
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { analyzeTrace, type StoredSpan, type TraceSummary } from '../../src';
import { latencyOf } from '../../src/latency';
import type { FixtureSpan } from './ui-fixtures';

/** The package directory (packages/viewer). */
export const PACKAGE_DIR = join(__dirname, '..', '..');

const STATIC: Readonly<Record<string, { file: string; type: string }>> = {
  '/': { file: join(PACKAGE_DIR, 'ui', 'index.html'), type: 'text/html; charset=utf-8' },
  '/styles.css': { file: join(PACKAGE_DIR, 'ui', 'styles.css'), type: 'text/css; charset=utf-8' },
};

/** One row of `GET /api/traces` (the API's own type). */
export type { TraceSummary };

/** The list row of a trace, derived the way the API contract describes it. */
export function summarize(spans: ReadonlyArray<FixtureSpan>): TraceSummary {
  const sorted = [...spans].sort((a, b) => a.startTime - b.startTime);
  const root = sorted.find((span) => span.parentSpanId === null) ?? sorted[0]!;
  const start = sorted[0]!.startTime;
  const end = Math.max(...spans.map((span) => span.endTime));
  return {
    traceId: root.traceId,
    rootName: root.name,
    rootService: root.service,
    startTime: start,
    durationMs: Math.round((end - start) * 1000) / 1000,
    spanCount: spans.length,
    services: [...new Set(sorted.map((span) => span.service))],
    error: spans.some((span) => span.status.code === 'ERROR'),
  };
}

export class UiStubServer {
  /** Path and query of every API request, in order. */
  readonly apiRequests: string[] = [];
  private server: Server | undefined;

  constructor(private readonly traces: ReadonlyArray<ReadonlyArray<FixtureSpan>>) {}

  /** Starts listening; resolves with the base URL (`http://127.0.0.1:<port>`). */
  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        sendJson(response, 500, { error: String(error) });
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://stub');
    if (request.method !== 'GET') return sendJson(response, 405, { error: 'method not allowed' });
    const module = /^\/([a-z-]+)\.js$/.exec(url.pathname);
    const asset = STATIC[url.pathname] ?? (module === null ? undefined : { file: join(PACKAGE_DIR, 'dist', 'ui', `${module[1]!}.js`), type: 'text/javascript; charset=utf-8' });
    if (asset !== undefined) {
      const body = await readFile(asset.file);
      response.writeHead(200, { 'content-type': asset.type, 'cache-control': 'no-store' }).end(body);
      return;
    }
    if (!url.pathname.startsWith('/api/')) return sendJson(response, 404, { error: 'not found' });
    this.apiRequests.push(`${url.pathname}${url.search}`);

    if (url.pathname === '/api/services') {
      const services = new Set(this.traces.flatMap((spans) => spans.map((span) => span.service)));
      return sendJson(response, 200, { services: [...services].sort() });
    }
    if (url.pathname === '/api/traces') {
      const traces = this.list(url.searchParams);
      return sendJson(response, 200, { traces, total: traces.length, offset: 0, limit: traces.length });
    }
    if (url.pathname === '/api/latency') {
      const ids = new Set(this.list(url.searchParams).map((t) => t.traceId));
      const matched = this.traces.filter((spans) => ids.has(spans[0]!.traceId)).map((spans) => ({ summary: summarize(spans), spans: new Map((spans as unknown as StoredSpan[]).map((span) => [span.spanId, span] as const)) }));
      return sendJson(response, 200, latencyOf(matched.sort((a, b) => b.summary.startTime - a.summary.startTime)));
    }
    if (url.pathname === '/api/config') return sendJson(response, 200, { links: [] });
    const one = /^\/api\/traces\/([^/]+)$/.exec(url.pathname);
    if (one !== null) {
      const traceId = decodeURIComponent(one[1]!);
      const spans = this.traces.find((trace) => trace[0]?.traceId === traceId);
      if (spans === undefined) return sendJson(response, 404, { error: `trace ${traceId} not found` });
      return sendJson(response, 200, { traceId, spans, total: spans.length, offset: 0, limit: spans.length, analysis: analyzeTrace(spans as unknown as StoredSpan[]) });
    }
    return sendJson(response, 404, { error: 'not found' });
  }

  /** The filters of `GET /api/traces`, newest first. */
  private list(query: URLSearchParams): TraceSummary[] {
    const service = query.get('service');
    const name = query.get('name')?.toLowerCase();
    const minDuration = Number(query.get('minDurationMs') ?? '0');
    const errors = query.get('errors') === 'true';
    const limit = Number(query.get('limit') ?? '100');
    return this.traces
      .map(summarize)
      .filter((trace) => !service || trace.services.includes(service))
      .filter((trace) => !name || trace.rootName.toLowerCase().includes(name))
      .filter((trace) => trace.durationMs >= minDuration)
      .filter((trace) => !errors || trace.error)
      .sort((a, b) => b.startTime - a.startTime)
      .slice(0, limit);
  }
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }).end(JSON.stringify(body));
}
