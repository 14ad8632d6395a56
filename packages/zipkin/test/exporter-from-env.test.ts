import { createTracer, exportersFromEnv, tracerOptionsFromEnv, type Tracer } from '@tracewell/core';
import type { ExporterPackage } from '@tracewell/core/exporter';
import * as zipkinPackage from '../src';
import { exporterFromEnv, ZipkinExporter } from '../src';
import { readableSpan } from './support/readable-span';
import { recordingLogger, ZipkinReceiver } from './support/zipkin-receiver';

// Compile-time check of the contract core relies on to load this package.
const contract: ExporterPackage = zipkinPackage;

describe('exporterFromEnv', () => {
  let receiver: ZipkinReceiver | undefined;
  let tracer: Tracer | undefined;
  afterEach(async () => {
    await tracer?.shutdown({ timeoutMillis: 100 });
    await receiver?.stop();
    receiver = undefined;
    tracer = undefined;
  });

  it('is what the package exports for OTEL_TRACES_EXPORTER', () => {
    expect(contract.exporterFromEnv).toBe(exporterFromEnv);
    expect(exporterFromEnv({}, recordingLogger())).toBeInstanceOf(ZipkinExporter);
  });

  it('uses OTEL_EXPORTER_ZIPKIN_ENDPOINT as-is (path and query included)', async () => {
    receiver = new ZipkinReceiver();
    const url = await receiver.start();
    const logger = recordingLogger();
    const exporter = exporterFromEnv({ OTEL_EXPORTER_ZIPKIN_ENDPOINT: ` ${url.replace('/api/v2/spans', '/zipkin/spans?tenant=blue')} ` }, logger);
    expect(await exporter.export([readableSpan()])).toEqual({ code: 'success' });
    expect(receiver.requests.map((r) => r.path)).toEqual(['/zipkin/spans?tenant=blue']);
    expect(logger.messages).toEqual([]);
  });

  it('uses OTEL_EXPORTER_ZIPKIN_TIMEOUT as the request timeout in ms', async () => {
    receiver = new ZipkinReceiver(() => 'handled'); // never answers
    const url = await receiver.start();
    const exporter = exporterFromEnv({ OTEL_EXPORTER_ZIPKIN_ENDPOINT: url, OTEL_EXPORTER_ZIPKIN_TIMEOUT: '120' }, recordingLogger());
    const began = Date.now();
    const result = await exporter.export([readableSpan()]);
    expect(result).toMatchObject({ code: 'retryable' });
    expect(result.code === 'retryable' && result.error?.message).toBe('no response within 120 ms');
    expect(Date.now() - began).toBeLessThan(2000);
  });

  it.each([
    ['OTEL_EXPORTER_ZIPKIN_ENDPOINT', 'not a url', 'OTEL_EXPORTER_ZIPKIN_ENDPOINT: expected an http: or https: URL, got "not a url"; using http://localhost:9411/api/v2/spans'],
    ['OTEL_EXPORTER_ZIPKIN_ENDPOINT', 'zipkin:9411', 'OTEL_EXPORTER_ZIPKIN_ENDPOINT: expected an http: or https: URL, got "zipkin:9411"; using http://localhost:9411/api/v2/spans'],
    ['OTEL_EXPORTER_ZIPKIN_ENDPOINT', 'ftp://me:s3cret@zipkin/api/v2/spans?token=t', 'OTEL_EXPORTER_ZIPKIN_ENDPOINT: expected an http: or https: URL, got "ftp://…@zipkin/api/v2/spans"; using http://localhost:9411/api/v2/spans'],
    ['OTEL_EXPORTER_ZIPKIN_TIMEOUT', 'abc', 'OTEL_EXPORTER_ZIPKIN_TIMEOUT: expected a positive integer (milliseconds), got "abc"; using 10000'],
    ['OTEL_EXPORTER_ZIPKIN_TIMEOUT', '0', 'OTEL_EXPORTER_ZIPKIN_TIMEOUT: expected a positive integer (milliseconds), got "0"; using 10000'],
    ['OTEL_EXPORTER_ZIPKIN_TIMEOUT', '-5', 'OTEL_EXPORTER_ZIPKIN_TIMEOUT: expected a positive integer (milliseconds), got "-5"; using 10000'],
    ['OTEL_EXPORTER_ZIPKIN_TIMEOUT', '2.5', 'OTEL_EXPORTER_ZIPKIN_TIMEOUT: expected a positive integer (milliseconds), got "2.5"; using 10000'],
    ['OTEL_EXPORTER_ZIPKIN_TIMEOUT', '10s', 'OTEL_EXPORTER_ZIPKIN_TIMEOUT: expected a positive integer (milliseconds), got "10s"; using 10000'],
  ])('%s=%j: one warning naming the variable and the value used instead', (variable, value, message) => {
    const logger = recordingLogger();
    expect(exporterFromEnv({ [variable]: value }, logger)).toBeInstanceOf(ZipkinExporter);
    expect(logger.messages).toEqual([message]);
  });

  it('keeps the valid variable when the other is invalid', async () => {
    receiver = new ZipkinReceiver();
    const url = await receiver.start();
    const logger = recordingLogger();
    const exporter = exporterFromEnv({ OTEL_EXPORTER_ZIPKIN_ENDPOINT: url, OTEL_EXPORTER_ZIPKIN_TIMEOUT: 'soon' }, logger);
    expect(await exporter.export([readableSpan()])).toEqual({ code: 'success' });
    expect(logger.messages).toHaveLength(1);
    expect(logger.messages[0]).toMatch(/^OTEL_EXPORTER_ZIPKIN_TIMEOUT: /);
  });

  it('treats empty values as unset, and never throws, even with a throwing logger', () => {
    const logger = recordingLogger();
    exporterFromEnv({ OTEL_EXPORTER_ZIPKIN_ENDPOINT: '  ', OTEL_EXPORTER_ZIPKIN_TIMEOUT: '' }, logger);
    expect(logger.messages).toEqual([]);
    const throwing = { warn: (): void => { throw new Error('logger broke'); } };
    expect(() => exporterFromEnv({ OTEL_EXPORTER_ZIPKIN_ENDPOINT: '::', OTEL_EXPORTER_ZIPKIN_TIMEOUT: 'x' }, throwing)).not.toThrow();
  });

  it('OTEL_TRACES_EXPORTER=zipkin: core loads @tracewell/zipkin and spans reach the endpoint', async () => {
    receiver = new ZipkinReceiver();
    const url = await receiver.start();
    const logger = recordingLogger();
    const env = { OTEL_TRACES_EXPORTER: 'zipkin', OTEL_EXPORTER_ZIPKIN_ENDPOINT: url, OTEL_SERVICE_NAME: 'Billing', OTEL_BSP_SCHEDULE_DELAY: '10' };
    // The real module resolution (core's default loader: require('@tracewell/zipkin'), the built package).
    expect(exportersFromEnv(env, logger)).toHaveLength(1);
    tracer = createTracer({ ...tracerOptionsFromEnv(env, logger), sampler: 'always_on', logger });
    tracer.startSpan('Nightly Job').end();
    await tracer.flush();
    expect(receiver.spans()).toMatchObject([{ name: 'nightly job', localEndpoint: { serviceName: 'billing' } }]);
    expect(logger.messages).toEqual([]);
  });
});
