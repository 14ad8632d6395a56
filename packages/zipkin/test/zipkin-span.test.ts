import {
  createTracer,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  SpanKind,
  SpanStatusCode,
  type ReadableSpan,
} from '@tracewell/core';
import { toZipkinSpan, type ZipkinSpan } from '../src';
import { PARENT_ID, readableSpan, SPAN_ID, START, TRACE_ID, type SpanFields } from './support/readable-span';

// The transform is pure: every rule is a row of input fields and the Zipkin fields expected.
// `expect` is matched as a subset; `absent` lists members that must not be present at all.
interface Row {
  readonly rule: string;
  readonly span: SpanFields;
  readonly expect: Partial<ZipkinSpan>;
  readonly absent?: ReadonlyArray<keyof ZipkinSpan>;
}

const client = (attributes: ReadableSpan['attributes']): SpanFields => ({ kind: SpanKind.CLIENT, attributes });
const serviceOnly = { attributes: { 'service.name': 'checkout' } };

const rows: Row[] = [
  // ids
  { rule: 'ids are copied; a root span has no parentId', span: {}, expect: { traceId: TRACE_ID, id: SPAN_ID }, absent: ['parentId'] },
  { rule: 'parentId is the parent span id', span: { parentSpanId: PARENT_ID }, expect: { parentId: PARENT_ID } },
  { rule: 'an empty parent id is omitted', span: { parentSpanId: '' }, expect: {}, absent: ['parentId'] },
  // name
  { rule: 'name is lower-cased', span: { name: 'GET /Users/:id' }, expect: { name: 'get /users/:id' } },
  { rule: 'an empty name is omitted', span: { name: '' }, expect: {}, absent: ['name'] },
  // kind
  { rule: 'SERVER', span: { kind: SpanKind.SERVER }, expect: { kind: 'SERVER' } },
  { rule: 'CLIENT', span: { kind: SpanKind.CLIENT }, expect: { kind: 'CLIENT' } },
  { rule: 'PRODUCER', span: { kind: SpanKind.PRODUCER }, expect: { kind: 'PRODUCER' } },
  { rule: 'CONSUMER', span: { kind: SpanKind.CONSUMER }, expect: { kind: 'CONSUMER' } },
  { rule: 'INTERNAL has no kind', span: { kind: SpanKind.INTERNAL }, expect: {}, absent: ['kind'] },
  // times
  {
    rule: 'timestamp and duration are integer microseconds',
    span: { startTime: 1_700_000_000_123.456, endTime: 1_700_000_000_125.789 },
    expect: { timestamp: 1_700_000_000_123_456, duration: 2333 },
  },
  {
    rule: 'microseconds are rounded, not truncated (1.001 * 1000 is 1000.999...)',
    span: { startTime: 1.001, endTime: 2.003 },
    expect: { timestamp: 1001, duration: 1002 },
  },
  {
    rule: 'single microseconds survive at epoch scale',
    span: { startTime: 1_700_000_000_000.001, endTime: 1_700_000_000_000.003 },
    expect: { timestamp: 1_700_000_000_000_001, duration: 2 },
  },
  { rule: 'a zero-length span lasts 1 µs', span: { startTime: START, endTime: START }, expect: { duration: 1 } },
  { rule: 'an end before the start still gives 1 µs', span: { startTime: START, endTime: START - 1 }, expect: { duration: 1 } },
  // local endpoint
  {
    rule: 'localEndpoint.serviceName is service.name, lower-cased',
    span: { resource: { attributes: { 'service.name': 'Checkout-API' } } },
    expect: { localEndpoint: { serviceName: 'checkout-api' } },
  },
  { rule: 'no service.name, no localEndpoint', span: { resource: { attributes: {} } }, expect: {}, absent: ['localEndpoint'] },
  // remote endpoint
  { rule: 'CLIENT with an IPv4 server.address', span: client({ 'server.address': '10.0.0.7', 'server.port': 5432 }), expect: { remoteEndpoint: { ipv4: '10.0.0.7', port: 5432 } } },
  { rule: 'CLIENT with an IPv6 server.address', span: client({ 'server.address': '2001:DB8::C001', 'server.port': 443 }), expect: { remoteEndpoint: { ipv6: '2001:db8::c001', port: 443 } } },
  { rule: 'CLIENT with a bracketed IPv6 literal', span: client({ 'server.address': '[::1]' }), expect: { remoteEndpoint: { ipv6: '::1' } } },
  { rule: 'CLIENT with an IPv6 zone id', span: client({ 'server.address': 'fe80::1%eth0' }), expect: { remoteEndpoint: { ipv6: 'fe80::1' } } },
  { rule: 'CLIENT with an IPv4-mapped IPv6 address uses ipv4', span: client({ 'server.address': '::ffff:192.168.1.9' }), expect: { remoteEndpoint: { ipv4: '192.168.1.9' } } },
  { rule: 'CLIENT with a host name: serviceName', span: client({ 'server.address': 'Inventory.svc', 'server.port': 8080 }), expect: { remoteEndpoint: { serviceName: 'inventory.svc', port: 8080 } } },
  { rule: 'a numeric string port is a port', span: client({ 'server.address': 'db', 'server.port': '6379' }), expect: { remoteEndpoint: { serviceName: 'db', port: 6379 } } },
  { rule: 'port 0 is left out', span: client({ 'server.address': 'db', 'server.port': 0 }), expect: { remoteEndpoint: { serviceName: 'db' } } },
  { rule: 'CLIENT without server.address: no remoteEndpoint', span: client({ 'server.port': 80 }), expect: {}, absent: ['remoteEndpoint'] },
  { rule: 'SERVER spans get no remoteEndpoint', span: { kind: SpanKind.SERVER, attributes: { 'server.address': '10.0.0.1' } }, expect: {}, absent: ['remoteEndpoint'] },
  // tags
  {
    rule: 'attribute values become strings, arrays JSON',
    span: { resource: serviceOnly, attributes: { s: 'x', n: 1.5, i: 200, b: false, ss: ['a', 'b'], ns: [1, 2], bs: [true] } },
    expect: { tags: { s: 'x', n: '1.5', i: '200', b: 'false', ss: '["a","b"]', ns: '[1,2]', bs: '[true]' } },
  },
  {
    rule: 'resource attributes other than service.name are tags; span attributes win',
    span: { resource: { attributes: { 'service.name': 'checkout', 'deployment.environment.name': 'prod', region: 'eu' } }, attributes: { region: 'us' } },
    expect: { tags: { 'deployment.environment.name': 'prod', region: 'us' } },
  },
  {
    rule: 'ERROR: error tag with the message, otel.status_code ERROR',
    span: { resource: serviceOnly, status: { code: SpanStatusCode.ERROR, message: 'upstream timed out' } },
    expect: { tags: { error: 'upstream timed out', 'otel.status_code': 'ERROR' } },
  },
  { rule: 'ERROR without a message: empty error tag', span: { resource: serviceOnly, status: { code: SpanStatusCode.ERROR } }, expect: { tags: { error: '', 'otel.status_code': 'ERROR' } } },
  { rule: 'OK: otel.status_code only', span: { resource: serviceOnly, status: { code: SpanStatusCode.OK } }, expect: { tags: { 'otel.status_code': 'OK' } } },
  { rule: 'UNSET and nothing else: no tags at all', span: { resource: serviceOnly }, expect: {}, absent: ['tags'] },
  {
    rule: 'dropped counts are tags when above zero',
    span: { resource: serviceOnly, droppedAttributesCount: 3, droppedEventsCount: 0, droppedLinksCount: 1 },
    expect: { tags: { 'otel.dropped_attributes_count': '3', 'otel.dropped_links_count': '1' } },
  },
  {
    rule: 'dropped events count',
    span: { resource: serviceOnly, droppedEventsCount: 7 },
    expect: { tags: { 'otel.dropped_events_count': '7' } },
  },
  // annotations
  {
    rule: 'events are annotations: name, or name: {json} with attributes',
    span: {
      events: [
        { name: 'cache miss', time: START + 0.25, attributes: {}, droppedAttributesCount: 0 },
        { name: 'exception', time: START + 1.5, attributes: { 'exception.type': 'TypeError', 'exception.message': 'x is undefined' }, droppedAttributesCount: 0 },
      ],
    },
    expect: {
      annotations: [
        { timestamp: 1_700_000_000_123_706, value: 'cache miss' },
        { timestamp: 1_700_000_000_124_956, value: 'exception: {"exception.type":"TypeError","exception.message":"x is undefined"}' },
      ],
    },
  },
  {
    rule: 'identical annotations are sent once (the API declares them unique)',
    span: { events: [1, 2, 3].map(() => ({ name: 'retry', time: START + 1, attributes: {}, droppedAttributesCount: 0 })) },
    expect: { annotations: [{ timestamp: 1_700_000_000_124_456, value: 'retry' }] },
  },
  { rule: 'no events, no annotations', span: {}, expect: {}, absent: ['annotations'] },
  // debug
  { rule: 'B3 debug sets debug', span: { debug: true }, expect: { debug: true } },
  { rule: 'no debug flag, no debug member', span: { debug: false }, expect: {}, absent: ['debug'] },
];

describe('toZipkinSpan', () => {
  it.each(rows.map((row) => [row.rule, row] as const))('%s', (_rule, row) => {
    const zipkin = toZipkinSpan(readableSpan(row.span));
    expect(zipkin).toMatchObject(row.expect);
    // Exact where it matters: nothing beyond the expected endpoint members and tags.
    if (row.expect.remoteEndpoint !== undefined) expect(zipkin.remoteEndpoint).toEqual(row.expect.remoteEndpoint);
    if (row.expect.tags !== undefined) expect({ ...zipkin.tags }).toEqual(row.expect.tags);
    for (const member of row.absent ?? []) expect(zipkin).not.toHaveProperty(member);
    // Rules that hold for every span.
    expect(zipkin).not.toHaveProperty('shared'); // server spans have their own ids
    expect(Number.isInteger(zipkin.timestamp) && Number.isInteger(zipkin.duration)).toBe(true);
    expect(zipkin.duration).toBeGreaterThanOrEqual(1);
    for (const value of Object.values(zipkin.tags ?? {})) expect(typeof value).toBe('string');
  });

  it('does not change its input and survives JSON', () => {
    const span = readableSpan({ attributes: { k: ['a'] }, status: { code: SpanStatusCode.ERROR, message: 'boom' } });
    const before = JSON.stringify(span);
    const zipkin = toZipkinSpan(span);
    expect(JSON.stringify(span)).toBe(before);
    expect(JSON.parse(JSON.stringify(zipkin))).toEqual(zipkin);
  });

  it('maps spans from a real tracer: parent ids across a B3 debug request, resource, times', () => {
    const exporter = new InMemorySpanExporter();
    const tracer = createTracer({ serviceName: 'Frontend', resource: { 'host.name': 'web-1' }, sampler: 'always_on', spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const parent = tracer.extract({ b3: `${TRACE_ID}-${PARENT_ID}-d` });
    const server = tracer.startSpan('GET /Cart', { kind: SpanKind.SERVER, parent });
    const call = server.child('GET', { kind: SpanKind.CLIENT, attributes: { 'server.address': '127.0.0.1', 'server.port': 9000 } });
    call.end();
    server.end();
    const [zCall, zServer] = exporter.getFinishedSpans().map(toZipkinSpan);
    expect(zServer).toMatchObject({ traceId: TRACE_ID, parentId: PARENT_ID, kind: 'SERVER', name: 'get /cart', debug: true, localEndpoint: { serviceName: 'frontend' } });
    expect(zServer!.id).not.toBe(PARENT_ID); // our own id, so never `shared`
    expect(zCall).toMatchObject({ parentId: zServer!.id, kind: 'CLIENT', debug: true, remoteEndpoint: { ipv4: '127.0.0.1', port: 9000 } });
    expect(zServer!.tags).toMatchObject({ 'host.name': 'web-1', 'telemetry.sdk.name': 'tracewell' });
    expect(zServer!.tags).not.toHaveProperty('service.name');
    expect(zCall!.timestamp).toBeGreaterThanOrEqual(zServer!.timestamp);
    expect(Math.abs(zServer!.timestamp / 1000 - Date.now())).toBeLessThan(60_000);
  });
});
