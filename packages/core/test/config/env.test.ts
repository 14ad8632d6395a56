import { createTracer, tracerOptionsFromEnv } from '../../src';
import { recordingLogger } from '../support/memory-tracer';

describe('tracerOptionsFromEnv', () => {
  it('reads service name, resource attributes, propagators, sampler and limits', () => {
    const logger = recordingLogger();
    const options = tracerOptionsFromEnv(
      {
        OTEL_SERVICE_NAME: 'checkout',
        OTEL_RESOURCE_ATTRIBUTES: 'service.name=ignored, deployment.environment.name=prod,team=a%20b',
        OTEL_PROPAGATORS: 'b3multi, tracecontext',
        OTEL_TRACES_SAMPLER: 'always_on',
        OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: '10',
        OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: '64',
        OTEL_SPAN_EVENT_COUNT_LIMIT: '5',
        OTEL_SPAN_LINK_COUNT_LIMIT: '0',
      },
      logger,
    );
    expect(logger.messages).toEqual([]);
    expect(options).toMatchObject({
      serviceName: 'checkout',
      resource: { 'service.name': 'ignored', 'deployment.environment.name': 'prod', team: 'a b' },
      propagators: ['b3multi', 'tracecontext'],
      sampler: 'always_on',
      limits: { attributeCountLimit: 10, attributeValueLengthLimit: 64, eventCountLimit: 5, linkCountLimit: 0 },
    });
    expect(createTracer(options).resource.attributes['service.name']).toBe('checkout');
  });

  it('returns no options for an empty environment (without exporter packages installed)', () => {
    const notInstalled = (id: string) => {
      throw Object.assign(new Error(`Cannot find module '${id}'`), { code: 'MODULE_NOT_FOUND' });
    };
    expect(tracerOptionsFromEnv({}, recordingLogger(), notInstalled)).toEqual({});
  });

  it('defaults to the OTLP exporter when @tracewell/otlp is installed (as it is in this repository)', () => {
    const options = tracerOptionsFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, recordingLogger());
    expect(options.exporter?.constructor.name).toBe('OTLPTraceExporter');
    expect((options.exporter as unknown as { url: string }).url).toBe('http://collector:4318/v1/traces');
  });

  it('OTEL_SDK_DISABLED=true turns recording off but keeps propagation', () => {
    const tracer = createTracer(tracerOptionsFromEnv({ OTEL_SDK_DISABLED: 'TRUE' }, recordingLogger()));
    const span = tracer.startSpan('s');
    expect(span.isRecording()).toBe(false);
    const headers: Record<string, string> = {};
    tracer.inject(span, headers);
    expect(headers.traceparent).toBeDefined();
  });

  it('OTEL_PROPAGATORS=none disables propagation', () => {
    const tracer = createTracer(tracerOptionsFromEnv({ OTEL_PROPAGATORS: 'none' }, recordingLogger()));
    const headers: Record<string, string> = {};
    tracer.inject(tracer.startSpan('s'), headers);
    expect(headers).toEqual({});
    expect(tracer.extract({ traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' })).toBeUndefined();
  });

  it.each([
    ['OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT', '-3', 'OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: expected a non-negative integer, got "-3"; using 128'],
    ['OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT', 'lots', 'got "lots"; using Infinity'],
    ['OTEL_SDK_DISABLED', 'yes', 'OTEL_SDK_DISABLED: expected true or false, got "yes"; using false'],
    ['OTEL_TRACES_SAMPLER', 'sometimes', 'OTEL_TRACES_SAMPLER: unsupported "sometimes"'],
    ['OTEL_PROPAGATORS', 'jaeger,xray', 'OTEL_PROPAGATORS: ignoring unsupported jaeger, xray'],
    ['OTEL_RESOURCE_ATTRIBUTES', 'novalue,k=%E0%A4%A', 'OTEL_RESOURCE_ATTRIBUTES: ignoring "novalue"'],
  ])('%s=%s logs one warning naming the variable and the value used', (name, value, expected) => {
    const logger = recordingLogger();
    const options = tracerOptionsFromEnv({ [name]: value }, logger);
    expect(logger.messages.length).toBeGreaterThanOrEqual(1);
    expect(logger.messages[0]).toContain(expected);
    expect(() => createTracer(options)).not.toThrow();
  });

  it('createTracer never reads process.env', () => {
    process.env.OTEL_SERVICE_NAME = 'from-env';
    try {
      expect(createTracer().resource.attributes['service.name']).toBe('unknown_service:node');
    } finally {
      delete process.env.OTEL_SERVICE_NAME;
    }
  });
});
