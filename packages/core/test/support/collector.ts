import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ExportOptions, type ExportResult, type ReadableSpan, type SpanExporter } from '../../src';
import { sendHttpExport } from '../../src/exporter';

/** How the test collector answers request number `n` (0-based); `undefined` accepts. */
export type CollectorBehaviour = (n: number, request: IncomingMessage, response: ServerResponse) => 'handled' | undefined;

/** A real HTTP collector on 127.0.0.1: records the span names of every accepted batch. */
export class TestCollector {
  readonly accepted: string[] = [];
  requests = 0;
  readonly requestTimes: number[] = [];
  private server: Server | undefined;

  constructor(private readonly behaviour: CollectorBehaviour = () => undefined) {}

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      const n = this.requests++;
      this.requestTimes.push(Date.now());
      if (this.behaviour(n, request, response) === 'handled') return;
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const names = JSON.parse(Buffer.concat(chunks).toString('utf8')) as string[];
        this.accepted.push(...names);
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1/spans`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** The exporter these tests use: POSTs the batch's span names as JSON through sendHttpExport. */
export class JsonHttpExporter implements SpanExporter {
  constructor(private readonly url: string) {}

  async export(spans: ReadonlyArray<ReadableSpan>, options?: ExportOptions): Promise<ExportResult> {
    const { result } = await sendHttpExport({
      url: this.url,
      body: JSON.stringify(spans.map((s) => s.name)),
      headers: { 'content-type': 'application/json' },
      signal: options?.signal,
    });
    return result;
  }

  async shutdown(): Promise<void> {}
}
