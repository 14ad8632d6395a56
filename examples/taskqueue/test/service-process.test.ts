// The service processes as the demo starts them (built: run `npx tsc -b` first, as `npm test` does),
// exporting to a small OTLP/HTTP JSON receiver of our own.
import { Client, credentials, Metadata } from '@grpc/grpc-js';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { QUEUE_SERVICE, type Report } from '../src/apps/queue-service';
import { startService, ServiceStartError } from '../src/children';
import { BACKENDS, FRONTEND } from '../src/topology';

const script = (name: string) => join(__dirname, '..', 'dist', 'services', `${name}.js`);

interface Received {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
}

interface OtlpJson {
  resourceSpans: Array<{
    resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> };
    scopeSpans: Array<{ spans: Array<Omit<Received, 'service'>> }>;
  }>;
}

describe('a service process', () => {
  const received: Received[] = [];
  let receiver: Server;
  let endpoint: string;

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        if (req.method === 'POST' && req.url === '/v1/traces') {
          const body = JSON.parse(Buffer.concat(chunks).toString()) as OtlpJson;
          for (const { resource, scopeSpans } of body.resourceSpans) {
            const service = resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue ?? '';
            for (const { spans } of scopeSpans) for (const s of spans) received.push({ service, traceId: s.traceId, spanId: s.spanId, parentSpanId: s.parentSpanId, name: s.name });
          }
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => receiver.close(resolve)));

  it('continues the caller’s trace and flushes its spans to OTLP_ENDPOINT/v1/traces when stopped', async () => {
    const auth = BACKENDS.find((s) => s.name === 'auth')!;
    const service = await startService(auth, {
      script: script('auth'),
      env: { ...process.env, PORT: '0', OTEL_SERVICE_NAME: 'auth-under-test', OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' },
    });
    try {
      const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
      const response = await fetch(`${service.url}/TaskQueue.Auth?user=alice&queue=default`, { headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` } });
      expect(await response.json()).toEqual({ user: 'alice', queue: 'default', allowed: true });
    } finally {
      // SIGTERM right away, before the 200 ms batch timer: shutdownOnSignal flushes first.
      const exit = await service.stop();
      expect(exit.signal ?? exit.code).toBe('SIGTERM'); // re-raised after the flush, as if untraced
    }
    expect(received).toEqual([{ service: 'auth-under-test', traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: expect.stringMatching(/^[0-9a-f]{16}$/), parentSpanId: '00f067aa0ba902b7', name: 'TaskQueue.Auth' }]);
    expect(service.output()).toMatch(/^\[auth\] auth-under-test listening on http:\/\/127\.0\.0\.1:\d+$/m);
  });

  it('serves gRPC when its app is a grpc-js server: reached at host:port, continuing the trace from the call’s metadata', async () => {
    const queue = BACKENDS.find((s) => s.name === 'queue')!;
    const service = await startService(queue, {
      script: script('queue'),
      env: { ...process.env, PORT: '0', OTEL_SERVICE_NAME: 'queue-under-test', OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' },
    });
    received.length = 0;
    try {
      expect(service.url).toMatch(/^127\.0\.0\.1:\d+$/); // a grpc-js target, not a URL
      const client = new Client(service.url, credentials.createInsecure());
      const metadata = new Metadata();
      metadata.set('traceparent', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
      const { path, requestSerialize, responseDeserialize } = QUEUE_SERVICE.Report;
      const report = await new Promise<Report>((resolve, reject) =>
        client.makeUnaryRequest(path, requestSerialize, responseDeserialize, { queue: 'default', report: 'pending' }, metadata, { deadline: Date.now() + 10_000 }, (error, value) =>
          error ? reject(error) : resolve(value!),
        ),
      );
      client.close();
      expect(report).toEqual({ queue: 'default', report: 'pending', tasks: 42, oldestSeconds: 95 });
    } finally {
      await service.stop();
    }
    expect(received).toEqual([
      { service: 'queue-under-test', traceId: '0af7651916cd43dd8448eb211c80319c', spanId: expect.stringMatching(/^[0-9a-f]{16}$/), parentSpanId: 'b7ad6b7169203331', name: 'taskqueue.QueueService/Report' },
    ]);
    expect(service.output()).toMatch(/^\[queue\] queue-under-test listening on 127\.0\.0\.1:\d+ \(gRPC\)$/m);
  });

  it('that cannot start is reported with what it printed', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', OTEL_EXPORTER_OTLP_ENDPOINT: endpoint };
    delete env.AUTH_URL;
    const failure = await startService(FRONTEND, { script: script('frontend'), env }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ServiceStartError);
    expect((failure as ServiceStartError).message).toMatch(/^frontend: exited \(code 1\) before listening$/);
    expect((failure as ServiceStartError).output).toContain('[frontend] Error: AUTH_URL is not set');
  });
});
