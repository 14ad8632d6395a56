import { createTracer, SpanKind, SpanStatusCode, TracewellConfigError, type Tracer } from '@tracewell/core';
import { DEFAULT_ZIPKIN_URL, ZipkinExporter, type ZipkinExporterOptions } from '../src';
import { readableSpan } from './support/readable-span';
import { recordingLogger, ZipkinReceiver } from './support/zipkin-receiver';

// Real HTTP on 127.0.0.1 (port 0): the exporter's transport, status handling and its place in
// the batching pipeline. No mocks of http, no fake timers; delays are shortened through options.
describe('ZipkinExporter', () => {
  let receiver: ZipkinReceiver | undefined;
  let tracer: Tracer | undefined;
  afterEach(async () => {
    await tracer?.shutdown({ timeoutMillis: 100 });
    await receiver?.stop();
    receiver = undefined;
    tracer = undefined;
  });

  async function start(behaviour?: ConstructorParameters<typeof ZipkinReceiver>[0]): Promise<string> {
    receiver = new ZipkinReceiver(behaviour);
    return receiver.start();
  }

  describe('one export', () => {
    it('POSTs a JSON list of Zipkin spans with content-type application/json and the custom headers', async () => {
      const url = await start();
      const exporter = new ZipkinExporter({ url, headers: { authorization: 'Bearer t0ken', 'X-Tenant': 'blue', 'Content-Type': 'text/plain' } });
      const result = await exporter.export([readableSpan({ name: 'A', kind: SpanKind.SERVER }), readableSpan({ name: 'B', spanId: 'aaaaaaaaaaaaaaaa' })]);
      expect(result).toEqual({ code: 'success' });
      expect(receiver!.requests).toHaveLength(1);
      const [request] = receiver!.requests;
      expect(request).toMatchObject({ method: 'POST', path: '/api/v2/spans' });
      expect(request!.headers['content-type']).toBe('application/json'); // ours, whatever the caller passed
      expect(request!.headers.authorization).toBe('Bearer t0ken');
      expect(request!.headers['x-tenant']).toBe('blue');
      expect(Number(request!.headers['content-length'])).toBe(Buffer.byteLength(request!.body));
      const body = JSON.parse(request!.body) as unknown;
      expect(Array.isArray(body)).toBe(true);
      expect(body).toMatchObject([
        { name: 'a', kind: 'SERVER', id: 'ffdc9bb9a6453df3', localEndpoint: { serviceName: 'checkout' } },
        { name: 'b', id: 'aaaaaaaaaaaaaaaa' },
      ]);
    });

    it('sends content-type application/json without a headers option too', async () => {
      const url = await start();
      await new ZipkinExporter({ url }).export([readableSpan()]);
      expect(receiver!.requests.map((r) => r.headers['content-type'])).toEqual(['application/json']);
    });

    it.each([
      ['503', 503, {}, { code: 'retryable' }],
      ['502', 502, {}, { code: 'retryable' }],
      ['429 with Retry-After', 429, { 'retry-after': '2' }, { code: 'retryable', retryAfterMillis: 2000 }],
      ['400', 400, {}, { code: 'failed' }],
      ['401', 401, {}, { code: 'failed' }],
    ] as const)('classifies %s', async (_name, status, headers, expected) => {
      const url = await start((_n, _request, response) => (response.writeHead(status, headers).end(), 'handled' as const));
      const result = await new ZipkinExporter({ url }).export([readableSpan()]);
      expect(result).toMatchObject(expected);
      expect(result.code === 'success' ? undefined : result.error?.message).toMatch(new RegExp(`responded ${status}`));
      expect(receiver!.requests).toHaveLength(1); // one attempt: retrying is the processor's job
    });

    it("puts the start of Zipkin's error text in the failure, bounded", async () => {
      const url = await start((n, _request, response) => {
        response.writeHead(400, { 'content-type': 'text/plain' }).end(n === 0 ? 'Expected a JSON_V2 encoded list\n' : 'x'.repeat(10_000));
        return 'handled';
      });
      const exporter = new ZipkinExporter({ url });
      const first = await exporter.export([readableSpan()]);
      expect(first).toMatchObject({ code: 'failed' });
      expect(first.code === 'failed' && first.error?.message).toBe('collector responded 400: Expected a JSON_V2 encoded list');
      const second = await exporter.export([readableSpan()]);
      expect(second.code === 'failed' && second.error!.message.length).toBeLessThan(260);
    });

    it('a refused connection is retryable', async () => {
      const url = await start();
      await receiver!.stop();
      const result = await new ZipkinExporter({ url }).export([readableSpan()]);
      expect(result).toMatchObject({ code: 'retryable' });
      expect(result.code === 'retryable' && result.error?.message).toMatch(/ECONNREFUSED|connect/);
    });

    it('stops at the request timeout, and when the signal aborts', async () => {
      const url = await start(() => 'handled'); // never answers
      const began = Date.now();
      const timedOut = await new ZipkinExporter({ url, timeoutMillis: 150 }).export([readableSpan()]);
      expect(timedOut).toMatchObject({ code: 'retryable' });
      expect(timedOut.code === 'retryable' && timedOut.error?.message).toMatch(/150 ms/);
      expect(Date.now() - began).toBeLessThan(2000);

      const controller = new AbortController();
      setTimeout(() => controller.abort(), 50);
      const aborted = await new ZipkinExporter({ url }).export([readableSpan()], { signal: controller.signal });
      expect(aborted).toMatchObject({ code: 'failed' });
    });

    it('hints at the spans path when the URL answers 404, once a minute', async () => {
      const base = await start((_n, _request, response) => (response.writeHead(404).end(), 'handled' as const));
      const logger = recordingLogger();
      const exporter = new ZipkinExporter({ url: base.replace('/api/v2/spans', '/'), logger });
      for (let i = 0; i < 3; i++) expect(await exporter.export([readableSpan()])).toMatchObject({ code: 'failed' });
      expect(logger.messages).toHaveLength(1);
      expect(logger.messages[0]).toMatch(/answered 404: the URL must be the full spans path, e\.g\. http:\/\/127\.0\.0\.1:\d+\/api\/v2\/spans/);
    });

    it('sends nothing for an empty batch, and nothing after shutdown (idempotent)', async () => {
      const url = await start();
      const exporter = new ZipkinExporter({ url });
      expect(await exporter.export([])).toEqual({ code: 'success' });
      await exporter.shutdown();
      await exporter.shutdown();
      expect(await exporter.export([readableSpan()])).toMatchObject({ code: 'failed' });
      expect(receiver!.requests).toHaveLength(0);
    });
  });

  describe('in a tracer', () => {
    const batch = { scheduledDelayMillis: 10, initialBackoffMillis: 5, maxBackoffMillis: 10, maxAttempts: 3 };

    it('delivers ended spans on flush', async () => {
      const url = await start();
      const logger = recordingLogger();
      tracer = createTracer({ serviceName: 'checkout', exporter: new ZipkinExporter({ url, logger }), batch, sampler: 'always_on', logger });
      await tracer.startActiveSpan('GET /cart', { kind: SpanKind.SERVER }, async (span) => {
        span.child('GET', { kind: SpanKind.CLIENT, attributes: { 'server.address': 'inventory', 'server.port': 8080 } }).end();
        span.setStatus({ code: SpanStatusCode.ERROR, message: 'inventory down' });
      });
      await tracer.flush();
      const spans = receiver!.spans();
      expect(spans).toHaveLength(2);
      const server = spans.find((s) => s.kind === 'SERVER')!;
      expect(server).toMatchObject({ name: 'get /cart', localEndpoint: { serviceName: 'checkout' }, tags: { error: 'inventory down', 'otel.status_code': 'ERROR' } });
      expect(spans.find((s) => s.kind === 'CLIENT')).toMatchObject({ parentId: server.id, remoteEndpoint: { serviceName: 'inventory', port: 8080 } });
      expect(tracer.stats()).toMatchObject({ spansExported: 2, spansDropped: { exportFailed: 0 } });
      expect(logger.messages).toEqual([]);
    });

    it('retries a 503 (the processor does), then delivers', async () => {
      const url = await start((n, _request, response) => (n === 0 ? (response.writeHead(503).end(), 'handled') : undefined));
      tracer = createTracer({ exporter: new ZipkinExporter({ url }), batch, sampler: 'always_on', logger: recordingLogger() });
      tracer.startSpan('one').end();
      await tracer.flush();
      expect(receiver!.requests).toHaveLength(2);
      expect(tracer.stats()).toMatchObject({ spansExported: 1, exportAttempts: 2, exportFailures: 1 });
    });

    it('drops and counts a batch Zipkin rejects with 400', async () => {
      const url = await start((_n, _request, response) => (response.writeHead(400).end('bad span'), 'handled' as const));
      const logger = recordingLogger();
      tracer = createTracer({ exporter: new ZipkinExporter({ url, logger }), batch, sampler: 'always_on', logger });
      for (let i = 0; i < 3; i++) tracer.startSpan(`span-${i}`).end();
      await tracer.flush();
      expect(receiver!.requests).toHaveLength(1); // permanent: not retried
      expect(tracer.stats()).toMatchObject({ spansExported: 0, spansDropped: { exportFailed: 3 } });
      expect(logger.messages).toEqual([expect.stringMatching(/dropped 3 spans .*collector responded 400: bad span/)]);
    });
  });

  describe('options', () => {
    it('defaults to a local Zipkin', () => {
      expect(DEFAULT_ZIPKIN_URL).toBe('http://localhost:9411/api/v2/spans');
      expect(() => new ZipkinExporter()).not.toThrow();
      expect(() => new ZipkinExporter({ url: new URL('https://zipkin.example/api/v2/spans'), timeoutMillis: 0.5 })).not.toThrow();
    });

    const bad: Array<readonly [string, unknown, string]> = [
      ['a non-URL', { url: 'not a url' }, 'url'],
      ['an ftp: URL', { url: 'ftp://zipkin/api/v2/spans' }, 'url'],
      ['a number URL', { url: 9411 }, 'url'],
      ['null headers', { headers: null }, 'headers'],
      ['array headers', { headers: ['a'] }, 'headers'],
      ['string headers', { headers: 'authorization: x' }, 'headers'],
      ['a non-string header value', { headers: { 'x-count': 1 } }, 'headers.x-count'],
      ['a header value with a newline', { headers: { 'x-a': 'a\r\nb' } }, 'headers.x-a'],
      ['an invalid header name', { headers: { 'bad name': 'x' } }, 'headers'],
      ['timeoutMillis 0', { timeoutMillis: 0 }, 'timeoutMillis'],
      ['negative timeoutMillis', { timeoutMillis: -5 }, 'timeoutMillis'],
      ['NaN timeoutMillis', { timeoutMillis: Number.NaN }, 'timeoutMillis'],
      ['string timeoutMillis', { timeoutMillis: '1000' }, 'timeoutMillis'],
      ['a logger without warn', { logger: {} }, 'logger'],
      ['non-object options', 'http://zipkin:9411', 'options'],
    ];

    it.each(bad)('throws TW_INVALID_OPTION for %s', (_name, options, option) => {
      let thrown: unknown;
      try {
        new ZipkinExporter(options as ZipkinExporterOptions);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(TracewellConfigError);
      const path = option === 'options' ? 'ZipkinExporter(options)' : `ZipkinExporter.${option}`;
      expect(thrown).toMatchObject({ code: 'TW_INVALID_OPTION', message: expect.stringContaining(`Invalid option "${path}"`) });
    });

    it('never puts URL credentials or header values in the message', () => {
      expect(() => new ZipkinExporter({ url: 'ftp://user:s3cret@zipkin/api/v2/spans' })).toThrow(/"ftp:\/\/…@zipkin\/api\/v2\/spans"/);
      expect(() => new ZipkinExporter({ url: 'ftp://user:s3cret@zipkin/api/v2/spans' })).not.toThrow(/s3cret/);
      expect(() => new ZipkinExporter({ headers: { authorization: 'Bearer s3cret\n' } })).not.toThrow(/s3cret/);
    });
  });
});
