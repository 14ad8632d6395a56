import { ConsoleSpanExporter, createTracer, exportersFromEnv, tracerOptionsFromEnv, type SpanExporter } from '../../src';
import { recordingLogger } from '../support/memory-tracer';

const missing = (id: string) => {
  const error = new Error(`Cannot find module '${id}'`) as Error & { code: string };
  error.code = 'MODULE_NOT_FOUND';
  throw error;
};
const fakeExporter: SpanExporter = { export: async () => ({ code: 'success' }), shutdown: async () => undefined };

describe('OTEL_TRACES_EXPORTER', () => {
  it('console gives a ConsoleSpanExporter; none gives nothing', () => {
    const logger = recordingLogger();
    expect(exportersFromEnv({ OTEL_TRACES_EXPORTER: 'console' }, logger, missing)[0]!.exporter).toBeInstanceOf(ConsoleSpanExporter);
    expect(exportersFromEnv({ OTEL_TRACES_EXPORTER: 'none' }, logger, missing)).toEqual([]);
    expect(logger.messages).toEqual([]);
  });

  it.each([
    ['otlp', '@tracewell/otlp'],
    ['zipkin', '@tracewell/zipkin'],
    ['cloud-trace', '@tracewell/cloud-trace'],
  ])('%s without its package warns, naming the package to install', (name, id) => {
    const logger = recordingLogger();
    expect(exportersFromEnv({ OTEL_TRACES_EXPORTER: name }, logger, missing)).toEqual([]);
    expect(logger.messages).toEqual([`OTEL_TRACES_EXPORTER=${name} needs the ${id} package (npm install ${id}); spans are not exported`]);
  });

  it('loads an installed exporter package through its exporterFromEnv()', () => {
    const seen: string[] = [];
    const loader = (id: string) => {
      seen.push(id);
      return { exporterFromEnv: (env: Record<string, string | undefined>) => (env.OTEL_EXPORTER_OTLP_ENDPOINT === 'http://c:4318' ? fakeExporter : undefined) };
    };
    const exporters = exportersFromEnv({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }, recordingLogger(), loader);
    expect(exporters).toEqual([{ exporter: fakeExporter }]);
    expect(seen).toEqual(['@tracewell/otlp']);
  });

  it('unset: uses otlp if @tracewell/otlp is installed, else nothing, silently', () => {
    const logger = recordingLogger();
    expect(exportersFromEnv({}, logger, missing)).toEqual([]);
    expect(exportersFromEnv({}, logger, () => ({ exporterFromEnv: () => fakeExporter }))).toEqual([{ exporter: fakeExporter }]);
    expect(logger.messages).toEqual([]);
  });

  it('warns about unknown names and broken packages, and never throws', () => {
    const logger = recordingLogger();
    expect(exportersFromEnv({ OTEL_TRACES_EXPORTER: 'jaeger,console' }, logger, missing)).toHaveLength(1);
    expect(exportersFromEnv({ OTEL_TRACES_EXPORTER: 'zipkin' }, logger, () => ({}))).toEqual([]);
    expect(exportersFromEnv({ OTEL_TRACES_EXPORTER: 'zipkin' }, logger, () => ({ exporterFromEnv: () => { throw new Error('bad URL'); } }))).toEqual([]);
    expect(logger.messages).toEqual([
      'OTEL_TRACES_EXPORTER: ignoring unsupported "jaeger" (supported: none, console, otlp, zipkin, cloud-trace)',
      'OTEL_TRACES_EXPORTER=zipkin: @tracewell/zipkin has no exporterFromEnv(); update it to the version matching @tracewell/core',
      'OTEL_TRACES_EXPORTER=zipkin: bad URL; spans are not exported',
    ]);
  });

  it('applies the package\'s batch defaults under the OTEL_BSP_* variables', () => {
    const loader = () => ({ exporterFromEnv: () => fakeExporter, batchDefaults: { maxExportBatchSize: 1000, maxQueueSize: 4096 } });
    const options = tracerOptionsFromEnv({ OTEL_TRACES_EXPORTER: 'cloud-trace', OTEL_BSP_MAX_QUEUE_SIZE: '8192' }, recordingLogger(), loader);
    expect(options.batch).toEqual({ maxExportBatchSize: 1000, maxQueueSize: 8192 });
    expect(options.exporter).toBe(fakeExporter);
  });

  it('several exporters get a batching processor each', async () => {
    const options = tracerOptionsFromEnv({ OTEL_TRACES_EXPORTER: 'console,otlp', OTEL_TRACES_SAMPLER: 'always_on' }, recordingLogger(), () => ({ exporterFromEnv: () => fakeExporter }));
    expect(options.exporter).toBeUndefined();
    expect(options.spanProcessors).toHaveLength(2);
    const tracer = createTracer(options);
    expect(tracer.stats().queued).toBe(0);
  });
});

describe('OTEL_BSP_* variables', () => {
  it('configure the default batching processor', () => {
    const options = tracerOptionsFromEnv(
      { OTEL_BSP_MAX_QUEUE_SIZE: '100', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '10', OTEL_BSP_SCHEDULE_DELAY: '250', OTEL_BSP_EXPORT_TIMEOUT: '2000' },
      recordingLogger(),
      missing,
    );
    expect(options.batch).toEqual({ maxQueueSize: 100, maxExportBatchSize: 10, scheduledDelayMillis: 250, exportTimeoutMillis: 2000 });
  });

  it('warn on invalid values and on a batch larger than the queue', () => {
    const logger = recordingLogger();
    const options = tracerOptionsFromEnv({ OTEL_BSP_MAX_QUEUE_SIZE: '100', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '500', OTEL_BSP_SCHEDULE_DELAY: '0' }, logger, missing);
    expect(options.batch).toEqual({ maxQueueSize: 100, maxExportBatchSize: 100 });
    expect(logger.messages).toEqual([
      'OTEL_BSP_SCHEDULE_DELAY: expected a positive integer, got "0"; using 5000',
      'OTEL_BSP_MAX_EXPORT_BATCH_SIZE: larger than the queue (100); using 100',
    ]);
    expect(() => createTracer({ ...options, exporter: fakeExporter })).not.toThrow();
  });
});
