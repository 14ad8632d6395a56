import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { createTracer, type SpanExporter, type Tracer } from '@tracewell/core';
import { decodeOtlpRequest as decodeRequest } from '@tracewell/conformance';

export interface Received {
  path: string | undefined;
  headers: IncomingMessage['headers'];
  rawHeaders: string[];
  body: Buffer;
}

/**
 * A local OTLP/HTTP receiver on port 0. `answer(n, res)` may answer request number n itself and
 * return true; otherwise the receiver accepts with 200. Any path is accepted and recorded.
 */
export async function receiver(answer: (n: number, res: ServerResponse) => boolean = () => false) {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const n = received.push({ path: req.url, headers: req.headers, rawHeaders: req.rawHeaders, body: Buffer.concat(chunks) }) - 1;
      if (answer(n, res) !== true) res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    /** Scheme, host and port, no path: what OTEL_EXPORTER_OTLP_ENDPOINT takes. */
    base,
    url: `${base}/v1/traces`,
    received,
    spanNames: () =>
      received.flatMap((r) => {
        const body = r.headers['content-encoding'] === 'gzip' ? gunzipSync(r.body) : r.body;
        const decoded = (r.headers['content-type'] === 'application/json' ? JSON.parse(body.toString('utf8')) : decodeRequest(body)) as {
          resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<{ name: string }> }> }>;
        };
        return decoded.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans.map((s) => s.name)));
      }),
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

export type Receiver = Awaited<ReturnType<typeof receiver>>;

/** A tracer exporting through `exporter` with a quick batch processor and silent warnings. */
export function tracerWith(exporter: SpanExporter): Tracer {
  return createTracer({ serviceName: 'otlp-test', sampler: 'always_on', exporter, logger: { warn: () => undefined }, batch: { scheduledDelayMillis: 5, initialBackoffMillis: 10, maxBackoffMillis: 20 } });
}
