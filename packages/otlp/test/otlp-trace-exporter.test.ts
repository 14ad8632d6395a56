import { createTracer } from '@tracewell/core';
import { OtlpResponse as Response } from '@tracewell/conformance';
import { OTLPTraceExporter, type OTLPTraceExporterOptions } from '../src';
import { receiver, tracerWith, type Receiver } from './support/receiver';

/** An exporter configured in code only: these tests must not depend on the developer's environment. */
const exporterFor = (options: OTLPTraceExporterOptions): OTLPTraceExporter => new OTLPTraceExporter({ env: {}, ...options });

describe('OTLPTraceExporter against a local receiver', () => {
  let r: Receiver | undefined;
  afterEach(async () => {
    await r?.close();
    r = undefined;
  });

  it('sends protobuf by default, gzipped on request, with the headers a function returns for each request', async () => {
    r = await receiver();
    let calls = 0;
    const exporter = exporterFor({ url: r.url, compression: 'gzip', headers: async () => ({ authorization: `Bearer token-${++calls}` }) });
    const tracer = tracerWith(exporter);
    tracer.startSpan('first').end();
    await tracer.flush();
    tracer.startSpan('second').end();
    await tracer.flush();
    expect(r.received.map((x) => x.headers.authorization)).toEqual(['Bearer token-1', 'Bearer token-2']);
    expect(r.received[0]!.headers['content-type']).toBe('application/x-protobuf');
    expect(r.received[0]!.headers['content-encoding']).toBe('gzip');
    expect(r.spanNames()).toEqual(['first', 'second']);
  });

  it('sends OTLP/JSON when asked', async () => {
    r = await receiver();
    const tracer = tracerWith(exporterFor({ url: r.url, encoding: 'json', headers: { 'x-tenant': 'a' } }));
    tracer.startSpan('json span').end();
    await tracer.flush();
    expect(r.received[0]!.headers['content-type']).toBe('application/json');
    expect(r.received[0]!.headers['x-tenant']).toBe('a');
    expect(r.spanNames()).toEqual(['json span']);
  });

  it('is retried on 503 and on 429 with Retry-After, and nothing is lost', async () => {
    r = await receiver((n, res) => {
      if (n === 0) res.writeHead(503).end();
      else if (n === 1) res.writeHead(429, { 'retry-after': '0' }).end();
      return n < 2;
    });
    const tracer = tracerWith(exporterFor({ url: r.url }));
    for (let i = 0; i < 10; i++) tracer.startSpan(`s${i}`).end();
    await tracer.flush();
    expect(r.received).toHaveLength(3);
    expect(r.spanNames().slice(-10)).toEqual(Array.from({ length: 10 }, (_, i) => `s${i}`));
    expect(tracer.stats()).toMatchObject({ spansExported: 10, exportAttempts: 3, exportFailures: 2 });
  });

  it('drops and counts a batch the receiver refuses with 400 (permanent), without retrying', async () => {
    r = await receiver((_n, res) => {
      res.writeHead(400).end();
      return true;
    });
    const tracer = tracerWith(exporterFor({ url: r.url }));
    tracer.startSpan('refused').end();
    await tracer.flush();
    expect(r.received).toHaveLength(1);
    expect(tracer.stats()).toMatchObject({ spansExported: 0, spansDropped: { exportFailed: 1 } });
  });

  it('gives up on a receiver that does not answer within the timeout', async () => {
    r = await receiver(() => true); // never answers
    const exporter = exporterFor({ url: r.url, timeoutMillis: 100 });
    const tracer = createTracer({ sampler: 'always_on', exporter, logger: { warn: () => undefined }, batch: { scheduledDelayMillis: 5, maxAttempts: 1 } });
    tracer.startSpan('slow').end();
    await tracer.flush();
    expect(tracer.stats()).toMatchObject({ exportFailures: 1, spansDropped: { exportFailed: 1 } });
  });

  it('reports partial success (rejected spans) once a minute at most', async () => {
    const body = Response.encode(Response.fromObject({ partialSuccess: { rejectedSpans: 2, errorMessage: 'attribute too long' } })).finish();
    r = await receiver((_n, res) => {
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end(Buffer.from(body));
      return true;
    });
    const warnings: string[] = [];
    const exporter = exporterFor({ url: r.url, logger: { warn: (m) => void warnings.push(m) } });
    const tracer = createTracer({ sampler: 'always_on', exporter, batch: { scheduledDelayMillis: 5 } });
    tracer.startSpan('a').end();
    await tracer.flush();
    tracer.startSpan('b').end();
    await tracer.flush();
    expect(warnings).toEqual(['OTLP receiver rejected 2 of 1 spans: attribute too long']);
    expect(tracer.stats().spansExported).toBe(2); // partial success is still a success
  });

  it('retries when the headers function fails (e.g. a token refresh)', async () => {
    r = await receiver();
    let calls = 0;
    const exporter = exporterFor({
      url: r.url,
      headers: () => {
        if (++calls === 1) throw new Error('metadata server unavailable');
        return { authorization: 'Bearer ok' };
      },
    });
    const tracer = tracerWith(exporter);
    tracer.startSpan('after refresh').end();
    await tracer.flush();
    expect(r.spanNames()).toEqual(['after refresh']);
    expect(r.received[0]!.headers.authorization).toBe('Bearer ok');
  });

  it.each([
    [{ url: 'ftp://x' }, /"OTLPTraceExporter.url": expected an http: or https: URL/],
    [{ encoding: 'xml' }, /"OTLPTraceExporter.encoding": expected "protobuf" or "json"/],
    [{ compression: 'br' }, /"OTLPTraceExporter.compression": expected "gzip" or "none"/],
    [{ timeoutMillis: 0 }, /"OTLPTraceExporter.timeoutMillis": expected a positive number/],
    [{ headers: 'x' }, /"OTLPTraceExporter.headers": expected an object of header values or a function/],
  ])('rejects %p at construction', (options, message) => {
    expect(() => exporterFor(options as never)).toThrow(message);
  });

  it('names a refused url without its credentials or query', () => {
    expect(() => exporterFor({ url: 'ftp://me:s3cret@collector/v1/traces?token=t0ken' })).toThrow('got "ftp://…@collector/v1/traces"');
  });
});
