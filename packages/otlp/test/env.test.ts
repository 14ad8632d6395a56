import { exporterFromEnv, OTLPTraceExporter, otlpOptionsFromEnv } from '../src';

const logger = () => {
  const messages: string[] = [];
  return { messages, warn: (m: string) => void messages.push(m) };
};

describe('OTLP environment variables', () => {
  it('appends v1/traces to OTEL_EXPORTER_OTLP_ENDPOINT, with or without a trailing slash', () => {
    expect(otlpOptionsFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, logger()).url).toBe('http://collector:4318/v1/traces');
    expect(otlpOptionsFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'https://gw/otlp/' }, logger()).url).toBe('https://gw/otlp/v1/traces');
  });

  it('uses OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as-is, over the general one', () => {
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://b:4318/custom/path' };
    expect(otlpOptionsFromEnv(env, logger()).url).toBe('http://b:4318/custom/path');
  });

  it('merges headers (trace-specific wins per key), percent-decoding values', () => {
    const options = otlpOptionsFromEnv({ OTEL_EXPORTER_OTLP_HEADERS: 'api-key=one,X-Tenant=a%20b', OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'api-key=two' }, logger());
    expect(options.headers).toEqual({ 'api-key': 'two', 'x-tenant': 'a b' });
  });

  it('reads compression, timeout and protocol with the trace-specific variable first', () => {
    const options = otlpOptionsFromEnv(
      { OTEL_EXPORTER_OTLP_COMPRESSION: 'none', OTEL_EXPORTER_OTLP_TRACES_COMPRESSION: 'gzip', OTEL_EXPORTER_OTLP_TIMEOUT: '5000', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' },
      logger(),
    );
    expect(options).toEqual({ compression: 'gzip', timeoutMillis: 5000, encoding: 'json' });
  });

  it('warns, naming the variable and the value used (for an endpoint: that it is refused), and never throws', () => {
    const log = logger();
    const options = otlpOptionsFromEnv(
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318',
        OTEL_EXPORTER_OTLP_COMPRESSION: 'brotli',
        OTEL_EXPORTER_OTLP_TIMEOUT: 'soon',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
        OTEL_EXPORTER_OTLP_HEADERS: 'novalue,bad key=1,k=%E0%A4%A',
      },
      log,
    );
    expect(options).toEqual({ headers: {} });
    expect(log.messages).toEqual([
      'OTEL_EXPORTER_OTLP_ENDPOINT: "collector:4318" has no http:// or https:// in front; exporting nothing (every export fails) until it is fixed',
      'OTEL_EXPORTER_OTLP_HEADERS: ignoring an entry that is not key=value with a valid header name',
      'OTEL_EXPORTER_OTLP_HEADERS: ignoring an entry that is not key=value with a valid header name',
      'OTEL_EXPORTER_OTLP_HEADERS: ignoring the value of k (not valid percent-encoding)',
      'OTEL_EXPORTER_OTLP_COMPRESSION: expected gzip or none, got "brotli"; using none',
      'OTEL_EXPORTER_OTLP_TIMEOUT: expected a positive number of milliseconds, got "soon"; using 10000',
      'OTEL_EXPORTER_OTLP_PROTOCOL: "grpc" is not supported (http/protobuf, http/json); using http/protobuf',
    ]);
    expect(() => exporterFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: '::' }, logger())).not.toThrow();
  });

  it('exporterFromEnv builds the exporter core loads for OTEL_TRACES_EXPORTER=otlp', () => {
    expect(exporterFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }, logger()).url).toBe('http://c:4318/v1/traces');
    expect(exporterFromEnv({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://t/custom' }, logger()).url).toBe('https://t/custom');
    expect(exporterFromEnv({}, logger()).url).toBe('http://localhost:4318/v1/traces');
  });

  it('exporterFromEnv applies every variable, and builds the same exporter as the constructor', () => {
    const env = {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318',
      OTEL_EXPORTER_OTLP_HEADERS: 'api-key=k',
      OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip',
      OTEL_EXPORTER_OTLP_TIMEOUT: '2500',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    };
    const log = logger();
    const fromEnv = exporterFromEnv(env, log);
    expect(fromEnv).toMatchObject({ url: 'http://c:4318/v1/traces', staticHeaders: { 'api-key': 'k' }, gzip: true, timeoutMillis: 2500, encoding: 'json' });
    expect(fromEnv).toEqual(new OTLPTraceExporter({ env, logger: log }));
    expect(log.messages).toEqual([]);
  });
});
