// `new OTLPTraceExporter()` honours OTEL_EXPORTER_OTLP_* like OpenTelemetry JS's exporter;
// explicit options win. Environments are plain objects: process.env is never read or written.
import type { ServerResponse } from 'node:http';
import { createTracer, InMemorySpanExporter, SimpleSpanProcessor, type Environment, type ReadableSpan } from '@tracewell/core';
import { exporterFromEnv, OTLPTraceExporter, type OTLPTraceExporterOptions } from '../src';
import { receiver, tracerWith, type Received, type Receiver } from './support/receiver';

function spans(...names: string[]): ReadableSpan[] {
  const memory = new InMemorySpanExporter();
  const tracer = createTracer({ sampler: 'always_on', spanProcessors: [new SimpleSpanProcessor(memory)], logger: { warn: () => undefined } });
  for (const name of names) tracer.startSpan(name).end();
  return memory.getFinishedSpans();
}

function logger() {
  const messages: string[] = [];
  return { messages, warn: (m: string) => void messages.push(m) };
}

/** Answers after 300 ms: a 100 ms timeout fails, a longer one succeeds. */
const slowly = (_n: number, res: ServerResponse): boolean => {
  setTimeout(() => res.writeHead(200).end(), 300).unref();
  return true;
};

interface Row {
  /** The variables under test; `{base}` and `{url}` stand for the receiver's addresses. */
  env: Environment;
  /** An explicit option that must win over them. */
  explicit: OTLPTraceExporterOptions;
  /** What the request shows when the variable applies, and when the explicit option does. */
  applied: (req: Received, ok: boolean) => void;
  overridden: (req: Received, ok: boolean) => void;
  answer?: (n: number, res: ServerResponse) => boolean;
}

const rows: Record<string, Row> = {
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: {
    env: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '{base}/custom/traces' },
    explicit: { url: '{base}/explicit' },
    applied: (req) => expect(req.path).toBe('/custom/traces'),
    overridden: (req) => expect(req.path).toBe('/explicit'),
  },
  OTEL_EXPORTER_OTLP_ENDPOINT: {
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: '{base}/gateway' },
    explicit: { url: '{base}/explicit' },
    applied: (req) => expect(req.path).toBe('/gateway/v1/traces'),
    overridden: (req) => expect(req.path).toBe('/explicit'),
  },
  OTEL_EXPORTER_OTLP_HEADERS: {
    env: { OTEL_EXPORTER_OTLP_HEADERS: 'x-tenant=from%20env,api-key=k1' },
    explicit: { headers: { 'X-Tenant': 'explicit' } },
    applied: (req) => expect(req.headers).toMatchObject({ 'x-tenant': 'from env', 'api-key': 'k1' }),
    // Merged, as in OpenTelemetry JS: the explicit header wins, the others stay.
    overridden: (req) => expect(req.headers).toMatchObject({ 'x-tenant': 'explicit', 'api-key': 'k1' }),
  },
  OTEL_EXPORTER_OTLP_TRACES_HEADERS: {
    env: { OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'authorization=Basic%20abc' },
    explicit: { headers: async () => ({ authorization: 'Bearer fresh' }) },
    applied: (req) => expect(req.headers.authorization).toBe('Basic abc'),
    overridden: (req) => expect(req.headers.authorization).toBe('Bearer fresh'),
  },
  OTEL_EXPORTER_OTLP_COMPRESSION: {
    env: { OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip' },
    explicit: { compression: 'none' },
    applied: (req) => expect(req.headers['content-encoding']).toBe('gzip'),
    overridden: (req) => expect(req.headers['content-encoding']).toBeUndefined(),
  },
  OTEL_EXPORTER_OTLP_TRACES_COMPRESSION: {
    env: { OTEL_EXPORTER_OTLP_TRACES_COMPRESSION: 'gzip' },
    explicit: { compression: 'none' },
    applied: (req) => expect(req.headers['content-encoding']).toBe('gzip'),
    overridden: (req) => expect(req.headers['content-encoding']).toBeUndefined(),
  },
  OTEL_EXPORTER_OTLP_PROTOCOL: {
    env: { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' },
    explicit: { encoding: 'protobuf' },
    applied: (req) => expect(req.headers['content-type']).toBe('application/json'),
    overridden: (req) => expect(req.headers['content-type']).toBe('application/x-protobuf'),
  },
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: {
    env: { OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json' },
    explicit: { encoding: 'protobuf' },
    applied: (req) => expect(req.headers['content-type']).toBe('application/json'),
    overridden: (req) => expect(req.headers['content-type']).toBe('application/x-protobuf'),
  },
  OTEL_EXPORTER_OTLP_TIMEOUT: {
    env: { OTEL_EXPORTER_OTLP_TIMEOUT: '100' },
    explicit: { timeoutMillis: 5000 },
    applied: (_req, ok) => expect(ok).toBe(false),
    overridden: (_req, ok) => expect(ok).toBe(true),
    answer: slowly,
  },
  OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: {
    env: { OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: '100' },
    explicit: { timeoutMillis: 5000 },
    applied: (_req, ok) => expect(ok).toBe(false),
    overridden: (_req, ok) => expect(ok).toBe(true),
    answer: slowly,
  },
};

/** Replaces `{base}` and `{url}` with the receiver's addresses, in an environment or in `url`. */
function at<T extends Environment | OTLPTraceExporterOptions>(value: T, r: Receiver): T {
  const fill = (s: string): string => s.replace('{base}', r.base).replace('{url}', r.url);
  const out: Record<string, unknown> = { ...value };
  for (const [key, v] of Object.entries(out)) if (typeof v === 'string') out[key] = fill(v);
  return out as T;
}

describe('new OTLPTraceExporter() and the OTEL_EXPORTER_OTLP_* variables', () => {
  let r: Receiver | undefined;
  afterEach(async () => {
    await r?.close();
    r = undefined;
  });

  /** One export through an exporter built from `env` (pointed at the receiver unless it names an endpoint) and `explicit`. */
  async function exportWith(row: Row, explicit: OTLPTraceExporterOptions) {
    r = await receiver(row.answer);
    const names = Object.keys(row.env);
    const env = at({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: names.some((n) => n.endsWith('_ENDPOINT')) ? undefined : '{url}', ...row.env }, r);
    const log = logger();
    const exporter = new OTLPTraceExporter({ ...at(explicit, r), env, logger: log });
    const result = await exporter.export(spans('one'));
    expect(r.received).toHaveLength(1);
    expect(r.spanNames()).toEqual(['one']);
    expect(log.messages).toEqual([]);
    return { req: r.received[0]!, ok: result.code === 'success' };
  }

  it.each(Object.entries(rows))('applies %s', async (_name, row) => {
    const { req, ok } = await exportWith(row, {});
    row.applied(req, ok);
  });

  it.each(Object.entries(rows))('lets the explicit option win over %s', async (_name, row) => {
    const { req, ok } = await exportWith(row, row.explicit);
    row.overridden(req, ok);
  });

  it.each([
    ['endpoint', { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://specific:4318/t', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://general:4318' }, { url: 'http://specific:4318/t' }],
    ['compression', { OTEL_EXPORTER_OTLP_TRACES_COMPRESSION: 'gzip', OTEL_EXPORTER_OTLP_COMPRESSION: 'none' }, { gzip: true }],
    ['protocol', { OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' }, { encoding: 'json' }],
    ['timeout', { OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: '7', OTEL_EXPORTER_OTLP_TIMEOUT: '9' }, { timeoutMillis: 7 }],
  ])('prefers the _TRACES_ variable over the general one (%s)', (_what, env, expected) => {
    // (Private fields: the requests these settings shape are checked per variable above.)
    expect(new OTLPTraceExporter({ env, logger: logger() })).toMatchObject(expected);
  });

  it('uses the default address when no endpoint variable is set', () => {
    expect(new OTLPTraceExporter({ env: {} }).url).toBe('http://localhost:4318/v1/traces');
  });

  it('merges the headers: traces variable over the general one, explicit over both', async () => {
    r = await receiver();
    const env = { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: r.url, OTEL_EXPORTER_OTLP_HEADERS: 'a=general,b=general,c=general', OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'b=traces,c=traces' };
    await new OTLPTraceExporter({ env, headers: { C: 'explicit' } }).export(spans('h'));
    expect(r.received[0]!.headers).toMatchObject({ a: 'general', b: 'traces', c: 'explicit' });
    expect(r.received[0]!.rawHeaders.filter((h) => h.toLowerCase() === 'c')).toHaveLength(1);
  });

  it('still throws for an invalid explicit url, whatever the environment says', () => {
    expect(() => new OTLPTraceExporter({ url: 'collector:4318', env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://ok:4318' } })).toThrow(
      /"OTLPTraceExporter.url": expected an http: or https: URL/,
    );
    expect(() => new OTLPTraceExporter({ env: 'x' as never })).toThrow(/"OTLPTraceExporter.env": expected an object of environment variables/);
  });

  it('neither reads nor warns about a variable an explicit option replaces', () => {
    const log = logger();
    const exporter = new OTLPTraceExporter({
      url: 'http://explicit:4318/v1/traces',
      compression: 'gzip',
      timeoutMillis: 50,
      encoding: 'json',
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url', OTEL_EXPORTER_OTLP_COMPRESSION: 'br', OTEL_EXPORTER_OTLP_TIMEOUT: 'soon', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' },
      logger: log,
    });
    expect(exporter.url).toBe('http://explicit:4318/v1/traces');
    expect(log.messages).toEqual([]);
  });
});

describe('an endpoint variable that is not an http(s) URL', () => {
  let r: Receiver | undefined;
  afterEach(async () => {
    await r?.close();
    r = undefined;
  });

  it.each([
    ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'collector:4318', '"collector:4318" has no http:// or https:// in front'],
    ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'grpc://collector:4317', '"grpc://collector:4317" has the scheme grpc:, expected http: or https:'],
    ['OTEL_EXPORTER_OTLP_ENDPOINT', '::', '"::" is not a URL'],
    ['OTEL_EXPORTER_OTLP_ENDPOINT', 'ftp://user:secret@host/x?token=abc#f', '"ftp://…@host/x" has the scheme ftp:, expected http: or https:'],
  ])('%s=%p: one warning, nothing sent, every export a permanent failure', async (variable, value, problem) => {
    r = await receiver();
    // A valid variable of lower precedence, pointing at the receiver, must not be used either.
    const env: Environment = variable === 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' ? { [variable]: value, OTEL_EXPORTER_OTLP_ENDPOINT: r.base } : { [variable]: value };
    const log = logger();
    const exporter = new OTLPTraceExporter({ env, logger: log });
    const warning = `${variable}: ${problem}; exporting nothing (every export fails) until it is fixed`;
    expect(log.messages).toEqual([warning]);
    expect(exporter.url).toBeUndefined();

    const result = await exporter.export(spans('a'));
    expect(result).toMatchObject({ code: 'failed', error: { message: `OTLP exporter disabled: ${warning}` } });
    expect(result.code === 'failed' && result.error?.message).not.toMatch(/secret|token|abc/);

    const tracer = tracerWith(exporter);
    for (let i = 0; i < 3; i++) tracer.startSpan(`s${i}`).end();
    await tracer.flush();
    expect(tracer.stats()).toMatchObject({ spansExported: 0, exportAttempts: 1, spansDropped: { exportFailed: 3 } });
    expect(r.received).toHaveLength(0);
    expect(log.messages).toHaveLength(1);
  });

  it('is ignored when the url option is given (explicit wins, no warning)', async () => {
    r = await receiver();
    const log = logger();
    const exporter = new OTLPTraceExporter({ url: r.url, env: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'collector:4318' }, logger: log });
    expect((await exporter.export(spans('sent'))).code).toBe('success');
    expect(r.spanNames()).toEqual(['sent']);
    expect(log.messages).toEqual([]);
  });

  it('is refused the same way through exporterFromEnv (OTEL_TRACES_EXPORTER=otlp)', async () => {
    const log = logger();
    const exporter = exporterFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }, log);
    expect(log.messages).toEqual(['OTEL_EXPORTER_OTLP_ENDPOINT: "collector:4318" has no http:// or https:// in front; exporting nothing (every export fails) until it is fixed']);
    expect((await exporter.export(spans('x'))).code).toBe('failed');
  });
});
