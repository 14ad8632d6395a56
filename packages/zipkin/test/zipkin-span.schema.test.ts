import { readFileSync } from 'node:fs';
import { isIPv4, isIPv6 } from 'node:net';
import { join } from 'node:path';
import Ajv, { type ErrorObject } from 'ajv';
import { createTracer, InMemorySpanExporter, SimpleSpanProcessor, SpanKind, SpanStatusCode, type SpanEvent } from '@tracewell/core';
import { toZipkinSpan } from '../src';
import { PARENT_ID, readableSpan, START, type SpanFields } from './support/readable-span';

// zipkin2-span.schema.json is Zipkin's v2 Span (openzipkin/zipkin-api, zipkin2-api.yaml)
// transcribed to JSON Schema: what we send must satisfy it, and it must reject what Zipkin would.
const schema = JSON.parse(readFileSync(join(__dirname, 'zipkin2-span.schema.json'), 'utf8')) as { properties: Record<string, unknown> };

function validator(): (data: unknown) => { valid: boolean; errors: ErrorObject[] } {
  // strict: an unknown keyword or format in the schema file fails here instead of being ignored.
  const ajv = new Ajv({ allErrors: true, strict: true });
  ajv.addFormat('ipv4', (value: string) => isIPv4(value));
  ajv.addFormat('ipv6', (value: string) => isIPv6(value));
  ajv.addFormat('int64', { type: 'number', validate: (value: number) => Number.isSafeInteger(value) });
  const validate = ajv.compile(schema);
  return (data) => {
    const valid = validate(data);
    return { valid, errors: validate.errors ?? [] };
  };
}

const validate = validator();
const event = (name: string, offset: number, attributes: Record<string, string> = {}): SpanEvent[] => [
  { name, time: START + offset, attributes, droppedAttributesCount: 0 },
];

const variety: Array<readonly [string, SpanFields]> = [
  ['server span', { kind: SpanKind.SERVER, name: 'GET /cart', parentSpanId: PARENT_ID, attributes: { 'http.route': '/cart', 'http.response.status_code': 200 } }],
  ['client span with an IPv4 remote endpoint', { kind: SpanKind.CLIENT, attributes: { 'server.address': '10.1.2.3', 'server.port': 8080 } }],
  ['client span with an IPv6 remote endpoint', { kind: SpanKind.CLIENT, attributes: { 'server.address': '2001:db8::c001', 'server.port': 443 } }],
  ['client span with a host-name remote endpoint', { kind: SpanKind.CLIENT, attributes: { 'server.address': 'inventory', 'server.port': 80 } }],
  ['internal span', { kind: SpanKind.INTERNAL, name: 'render graph' }],
  ['producer span', { kind: SpanKind.PRODUCER }],
  ['consumer span', { kind: SpanKind.CONSUMER }],
  ['span with events', { events: [...event('cache miss', 0.1), ...event('exception', 0.2, { 'exception.type': 'Error' }), ...event('retry', 0.3), ...event('retry', 0.3)] }],
  ['error span with drops', { status: { code: SpanStatusCode.ERROR, message: 'boom' }, droppedAttributesCount: 2, droppedEventsCount: 1, droppedLinksCount: 4, attributes: { list: [1, 2] } }],
  ['zero-length debug span', { endTime: START, debug: true, status: { code: SpanStatusCode.OK } }],
];

describe('Zipkin v2 schema (zipkin2-span.schema.json)', () => {
  it('names where it came from', () => {
    const comment = (schema as { $comment?: string }).$comment ?? '';
    expect(comment).toMatch(/openzipkin\/zipkin-api/);
    expect(comment).toMatch(/zipkin2-api\.yaml/);
    expect(comment).toMatch(/Swagger/);
  });

  it.each(variety)('accepts a transformed %s', (_name, fields) => {
    const zipkin = toZipkinSpan(readableSpan(fields));
    expect(validate(zipkin)).toEqual({ valid: true, errors: [] });
    // The API allows extra members; we additionally promise to send only the declared ones.
    expect(Object.keys(zipkin).filter((k) => !(k in schema.properties))).toEqual([]);
  });

  it('accepts spans of a real tracer', () => {
    const exporter = new InMemorySpanExporter();
    const tracer = createTracer({ serviceName: 'api', sampler: 'always_on', spanProcessors: [new SimpleSpanProcessor(exporter)] });
    void tracer.startActiveSpan('GET /x', { kind: SpanKind.SERVER }, (span) => {
      span.addEvent('queued', { depth: 3 });
      span.child('SELECT', { kind: SpanKind.CLIENT, attributes: { 'server.address': '::1', 'server.port': 5432 } }).end();
      span.recordException(new TypeError('nope'));
      span.setStatus({ code: SpanStatusCode.ERROR, message: 'nope' });
    });
    const spans = exporter.getFinishedSpans().map(toZipkinSpan);
    expect(spans).toHaveLength(2);
    for (const span of spans) expect(validate(span).errors).toEqual([]);
  });

  it('accepts a 64-bit trace id (16 hex characters), as the API allows', () => {
    expect(validate({ traceId: 'ffdc9bb9a6453df3', id: '352bff9a74ca9ad2', timestamp: 1556604172355737, duration: 1431 }).valid).toBe(true);
  });

  // The check must be able to fail: each of these breaks one constraint of the API.
  const valid = toZipkinSpan(readableSpan({ kind: SpanKind.CLIENT, parentSpanId: PARENT_ID, attributes: { 'server.address': '10.0.0.1' }, events: event('e', 0) }));
  const invalid: Array<readonly [string, Record<string, unknown>, string, string]> = [
    ['an uppercase span id', { ...valid, id: 'FFDC9BB9A6453DF3' }, '/id', 'pattern'],
    ['a non-hex span id', { ...valid, id: 'zzdc9bb9a6453df3' }, '/id', 'pattern'],
    ['a short parent id', { ...valid, parentId: 'abc' }, '/parentId', 'minLength'],
    ['a 20-character trace id', { ...valid, traceId: '4e441824ec2b6a44ffdc' }, '/traceId', 'pattern'],
    ['a string timestamp', { ...valid, timestamp: String(valid.timestamp) }, '/timestamp', 'type'],
    ['a fractional timestamp', { ...valid, timestamp: valid.timestamp + 0.5 }, '/timestamp', 'type'],
    ['a zero duration', { ...valid, duration: 0 }, '/duration', 'minimum'],
    ['kind INTERNAL', { ...valid, kind: 'INTERNAL' }, '/kind', 'enum'],
    ['a number tag value', { ...valid, tags: { 'http.response.status_code': 200 } }, '/tags/http.response.status_code', 'type'],
    ['an annotation without value', { ...valid, annotations: [{ timestamp: 1 }] }, '/annotations/0', 'required'],
    ['duplicate annotations', { ...valid, annotations: [{ timestamp: 1, value: 'a' }, { timestamp: 1, value: 'a' }] }, '/annotations', 'uniqueItems'],
    ['a bad ipv4', { ...valid, remoteEndpoint: { ipv4: 'inventory' } }, '/remoteEndpoint/ipv4', 'format'],
    ['port 0', { ...valid, remoteEndpoint: { ipv4: '10.0.0.1', port: 0 } }, '/remoteEndpoint/port', 'minimum'],
    ['a string debug flag', { ...valid, debug: 'true' }, '/debug', 'type'],
    ['no id', (({ id: _id, ...rest }) => rest)(valid), '', 'required'],
  ];

  it('the unmodified baseline is valid', () => {
    expect(validate(valid).errors).toEqual([]);
  });

  it.each(invalid)('rejects %s', (_name, span, path, keyword) => {
    const { valid: ok, errors } = validate(span);
    expect(ok).toBe(false);
    expect(errors.map((e) => [e.instancePath, e.keyword])).toContainEqual([path, keyword]);
  });
});
