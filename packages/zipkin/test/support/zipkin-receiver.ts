import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the receiver saw it. */
export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** How the receiver answers request number `n` (0-based); `undefined` answers 202 like Zipkin. */
export type ReceiverBehaviour = (n: number, request: IncomingMessage, response: ServerResponse) => 'handled' | undefined;

/** A real HTTP server on 127.0.0.1, port 0, standing in for Zipkin's `POST /api/v2/spans`. */
export class ZipkinReceiver {
  readonly requests: ReceivedRequest[] = [];
  private server: Server | undefined;

  constructor(private readonly behaviour: ReceiverBehaviour = () => undefined) {}

  /** Starts listening; resolves with the spans URL. */
  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      const n = this.requests.length;
      const chunks: Buffer[] = [];
      const entry = { method: request.method ?? '', path: request.url ?? '', headers: request.headers, body: '' };
      this.requests.push(entry);
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        entry.body = Buffer.concat(chunks).toString('utf8');
        if (this.behaviour(n, request, response) === 'handled') return;
        response.writeHead(202).end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/api/v2/spans`;
  }

  /** Every span received so far, from every request body. */
  spans(): Array<Record<string, unknown>> {
    return this.requests.flatMap((r) => (r.body === '' ? [] : (JSON.parse(r.body) as Array<Record<string, unknown>>)));
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** A logger that keeps its warnings. */
export function recordingLogger(): { warn(message: string): void; messages: string[] } {
  const messages: string[] = [];
  return { messages, warn: (message: string) => void messages.push(message) };
}
