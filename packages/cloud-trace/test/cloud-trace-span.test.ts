import { SpanKind, SpanStatusCode, type Attributes } from '@tracewell/core';
import { AGENT, toCloudTraceSpan, type CloudAttributeValue, type CloudTraceSpan } from '../src/cloud-trace-span';
import {
  hexSpanId,
  manyAttributes,
  PARENT_ID,
  PROJECT_ID,
  readableSpan,
  SERVICE,
  SPAN_ID,
  spanEvent,
  spanLink,
  START,
  TRACE_ID,
  type SpanFields,
} from './support/readable-span';

const convert = (fields: SpanFields = {}): CloudTraceSpan => toCloudTraceSpan(readableSpan(fields), PROJECT_ID);
const attributeMap = (fields: SpanFields): Record<string, CloudAttributeValue> => convert(fields).attributes.attributeMap;
const str = (value: string): CloudAttributeValue => ({ stringValue: { value } });
const bytes = (text: string): number => Buffer.byteLength(text, 'utf8');
const a = (n: number): string => 'a'.repeat(n);
const OTHER_TRACE = '0af7651916cd43dd8448eb211c80319c';

// The mapping is pure: every rule is a row of input fields and the v2 fields expected.
// `expect` is matched as a subset; `absent` lists members that must not be present at all.
interface Row {
  readonly rule: string;
  readonly span: SpanFields;
  readonly expect: Partial<CloudTraceSpan>;
  readonly absent?: ReadonlyArray<keyof CloudTraceSpan>;
}

function checkRow({ span, expect: expected, absent = [] }: Row): void {
  const out = convert(span);
  expect(out).toMatchObject(expected);
  for (const member of absent) expect(out).not.toHaveProperty(member);
}

describe('toCloudTraceSpan: fields', () => {
  const rows: Row[] = [
    // ids and name
    {
      rule: 'name is the full resource name; spanId is copied; a root has no parent fields',
      span: {},
      expect: { name: `projects/proj-1/traces/${TRACE_ID}/spans/${SPAN_ID}`, spanId: SPAN_ID },
      absent: ['parentSpanId', 'sameProcessAsParentSpan'],
    },
    {
      rule: 'the resource name uses the span own trace and span ids',
      span: { traceId: OTHER_TRACE, spanId: '00f067aa0ba902b7' },
      expect: { name: `projects/proj-1/traces/${OTHER_TRACE}/spans/00f067aa0ba902b7`, spanId: '00f067aa0ba902b7' },
    },
    { rule: 'displayName is the span name', span: { name: 'GET /users/:id' }, expect: { displayName: { value: 'GET /users/:id' } } },
    // parent
    {
      rule: 'a local parent: parentSpanId and sameProcessAsParentSpan true',
      span: { parentSpanId: PARENT_ID, parentIsRemote: false },
      expect: { parentSpanId: PARENT_ID, sameProcessAsParentSpan: true },
    },
    {
      rule: 'a remote parent: parentSpanId and sameProcessAsParentSpan false',
      span: { parentSpanId: PARENT_ID, parentIsRemote: true },
      expect: { parentSpanId: PARENT_ID, sameProcessAsParentSpan: false },
    },
    // times
    {
      rule: 'start and end are RFC 3339 with microseconds',
      span: { startTime: 1_700_000_000_123.456, endTime: 1_700_000_000_125.956 },
      expect: { startTime: '2023-11-14T22:13:20.123456Z', endTime: '2023-11-14T22:13:20.125956Z' },
    },
    {
      rule: 'whole seconds keep six zero digits',
      span: { startTime: 0, endTime: 1000 },
      expect: { startTime: '1970-01-01T00:00:00.000000Z', endTime: '1970-01-01T00:00:01.000000Z' },
    },
    {
      rule: 'microseconds are rounded, not truncated (1.001 * 1000 is 1000.999...)',
      span: { startTime: 1.001, endTime: 2.003 },
      expect: { startTime: '1970-01-01T00:00:00.001001Z', endTime: '1970-01-01T00:00:00.002003Z' },
    },
    {
      rule: 'a fraction that rounds up carries into the next second',
      span: { startTime: 1_700_000_000_999.9996, endTime: 1_700_000_001_000 },
      expect: { startTime: '2023-11-14T22:13:21.000000Z', endTime: '2023-11-14T22:13:21.000000Z' },
    },
    // kind
    { rule: 'INTERNAL', span: { kind: SpanKind.INTERNAL }, expect: { spanKind: 'INTERNAL' } },
    { rule: 'SERVER', span: { kind: SpanKind.SERVER }, expect: { spanKind: 'SERVER' } },
    { rule: 'CLIENT', span: { kind: SpanKind.CLIENT }, expect: { spanKind: 'CLIENT' } },
    { rule: 'PRODUCER', span: { kind: SpanKind.PRODUCER }, expect: { spanKind: 'PRODUCER' } },
    { rule: 'CONSUMER', span: { kind: SpanKind.CONSUMER }, expect: { spanKind: 'CONSUMER' } },
    // children
    { rule: 'childSpanCount when > 0', span: { childSpanCount: 3 }, expect: { childSpanCount: 3 } },
    { rule: 'no childSpanCount when 0', span: { childSpanCount: 0 }, expect: {}, absent: ['childSpanCount'] },
    { rule: 'no childSpanCount when unknown', span: {}, expect: {}, absent: ['childSpanCount'] },
    // status
    {
      rule: 'ERROR with a message: code 2 (UNKNOWN) and the message',
      span: { status: { code: SpanStatusCode.ERROR, message: 'db timeout' } },
      expect: { status: { code: 2, message: 'db timeout' } },
    },
    { rule: 'OK: code 0', span: { status: { code: SpanStatusCode.OK } }, expect: { status: { code: 0 } } },
    { rule: 'UNSET: no status', span: { status: { code: SpanStatusCode.UNSET } }, expect: {}, absent: ['status'] },
    // optional sections
    { rule: 'no events, links or exception: no timeEvents, links or stackTrace', span: {}, expect: {}, absent: ['timeEvents', 'links', 'stackTrace'] },
  ];

  it.each(rows)('$rule', (row) => checkRow(row));

  it('maps a default span exactly (no unexpected members)', () => {
    expect(convert()).toEqual({
      name: `projects/${PROJECT_ID}/traces/${TRACE_ID}/spans/${SPAN_ID}`,
      spanId: SPAN_ID,
      displayName: { value: 'work' },
      startTime: '2023-11-14T22:13:20.123456Z',
      endTime: '2023-11-14T22:13:20.125956Z',
      attributes: { attributeMap: { 'g.co/agent': str(AGENT), 'service.name': str(SERVICE) } },
      spanKind: 'INTERNAL',
    });
  });

  it('ERROR without a message has only the code', () => {
    expect(convert({ status: { code: SpanStatusCode.ERROR } }).status).toEqual({ code: 2 });
  });

  it('uses the project id it is given', () => {
    expect(toCloudTraceSpan(readableSpan(), 'other-project').name).toBe(`projects/other-project/traces/${TRACE_ID}/spans/${SPAN_ID}`);
  });
});

describe('toCloudTraceSpan: attribute values', () => {
  const rows: Array<{ readonly rule: string; readonly value: Attributes[string]; readonly expected: CloudAttributeValue }> = [
    { rule: 'a string', value: 'hello', expected: { stringValue: { value: 'hello' } } },
    { rule: 'the empty string', value: '', expected: { stringValue: { value: '' } } },
    { rule: 'a safe integer as a decimal string', value: 42, expected: { intValue: '42' } },
    { rule: 'zero', value: 0, expected: { intValue: '0' } },
    { rule: 'a negative integer', value: -7, expected: { intValue: '-7' } },
    { rule: 'the largest safe integer', value: Number.MAX_SAFE_INTEGER, expected: { intValue: '9007199254740991' } },
    { rule: 'an unsafe integer becomes a string', value: 2 ** 53, expected: str('9007199254740992') },
    { rule: 'true', value: true, expected: { boolValue: true } },
    { rule: 'false', value: false, expected: { boolValue: false } },
    { rule: 'a double becomes a string', value: 1.5, expected: str('1.5') },
    { rule: 'a negative double becomes a string', value: -0.25, expected: str('-0.25') },
    { rule: 'a string array becomes JSON', value: ['a', 'b'], expected: str('["a","b"]') },
    { rule: 'a number array becomes JSON', value: [1, 2.5], expected: str('[1,2.5]') },
    { rule: 'a boolean array becomes JSON', value: [true, false], expected: str('[true,false]') },
    { rule: 'an empty array becomes JSON', value: [], expected: str('[]') },
  ];

  it.each(rows)('$rule', ({ value, expected }) => {
    expect(attributeMap({ attributes: { 'x.value': value } })['x.value']).toEqual(expected);
  });
});

describe('toCloudTraceSpan: standard labels', () => {
  const current: Attributes = {
    'http.request.method': 'POST',
    'http.response.status_code': 201,
    'url.full': 'https://shop.example/api/orders?id=1',
    'http.route': '/api/orders',
    'server.address': 'shop.example',
    'user_agent.original': 'curl/8.5.0',
  };
  const older: Attributes = {
    'http.method': 'GET',
    'http.status_code': 404,
    'http.url': 'http://old.example/x',
    'http.host': 'old.example:8080',
    'http.user_agent': 'Mozilla/5.0',
  };

  const rows: Array<{ readonly rule: string; readonly attributes: Attributes; readonly expected: Record<string, CloudAttributeValue> }> = [
    { rule: '/http/method from http.request.method', attributes: { 'http.request.method': 'POST' }, expected: { '/http/method': str('POST') } },
    { rule: '/http/method from http.method', attributes: { 'http.method': 'GET' }, expected: { '/http/method': str('GET') } },
    {
      rule: '/http/status_code from http.response.status_code',
      attributes: { 'http.response.status_code': 201 },
      expected: { '/http/status_code': { intValue: '201' } },
    },
    { rule: '/http/status_code from http.status_code', attributes: { 'http.status_code': 404 }, expected: { '/http/status_code': { intValue: '404' } } },
    { rule: '/http/url from url.full', attributes: { 'url.full': 'https://a.example/p' }, expected: { '/http/url': str('https://a.example/p') } },
    { rule: '/http/url from http.url', attributes: { 'http.url': 'http://b.example/q' }, expected: { '/http/url': str('http://b.example/q') } },
    { rule: '/http/route from http.route', attributes: { 'http.route': '/users/:id' }, expected: { '/http/route': str('/users/:id') } },
    { rule: '/http/host from server.address', attributes: { 'server.address': 'a.example' }, expected: { '/http/host': str('a.example') } },
    { rule: '/http/host from http.host', attributes: { 'http.host': 'b.example:8080' }, expected: { '/http/host': str('b.example:8080') } },
    { rule: '/http/user_agent from user_agent.original', attributes: { 'user_agent.original': 'curl/8.5.0' }, expected: { '/http/user_agent': str('curl/8.5.0') } },
    { rule: '/http/user_agent from http.user_agent', attributes: { 'http.user_agent': 'Mozilla/5.0' }, expected: { '/http/user_agent': str('Mozilla/5.0') } },
    {
      rule: 'every label from the current names',
      attributes: current,
      expected: {
        '/http/method': str('POST'),
        '/http/status_code': { intValue: '201' },
        '/http/url': str('https://shop.example/api/orders?id=1'),
        '/http/route': str('/api/orders'),
        '/http/host': str('shop.example'),
        '/http/user_agent': str('curl/8.5.0'),
      },
    },
    {
      rule: 'every label from the older names',
      attributes: older,
      expected: {
        '/http/method': str('GET'),
        '/http/status_code': { intValue: '404' },
        '/http/url': str('http://old.example/x'),
        '/http/host': str('old.example:8080'),
        '/http/user_agent': str('Mozilla/5.0'),
      },
    },
    {
      rule: 'the current name wins when both exist (older written first)',
      attributes: { ...older, ...current },
      expected: {
        '/http/method': str('POST'),
        '/http/status_code': { intValue: '201' },
        '/http/url': str('https://shop.example/api/orders?id=1'),
        '/http/host': str('shop.example'),
        '/http/user_agent': str('curl/8.5.0'),
      },
    },
    {
      rule: 'the current name wins when both exist (current written first)',
      attributes: { ...current, ...older },
      expected: {
        '/http/method': str('POST'),
        '/http/status_code': { intValue: '201' },
        '/http/url': str('https://shop.example/api/orders?id=1'),
        '/http/host': str('shop.example'),
        '/http/user_agent': str('curl/8.5.0'),
      },
    },
  ];

  it.each(rows)('$rule', ({ attributes, expected }) => {
    expect(attributeMap({ attributes })).toMatchObject(expected);
  });

  it('keeps the original attributes next to the labels', () => {
    const map = attributeMap({ attributes: { 'http.method': 'GET', 'http.request.method': 'POST' } });
    expect(map['http.method']).toEqual(str('GET'));
    expect(map['http.request.method']).toEqual(str('POST'));
    expect(map['/http/method']).toEqual(str('POST'));
  });

  it('adds no label whose source attribute is missing', () => {
    const map = attributeMap({ attributes: { 'http.request.method': 'GET' } });
    expect(Object.keys(map).filter((k) => k.startsWith('/http/'))).toEqual(['/http/method']);
  });

  it('every span carries g.co/agent = AGENT and service.name from the resource', () => {
    expect(AGENT).toMatch(/^tracewell-nodejs \d+\.\d+\.\d+/);
    const map = attributeMap({ resource: { attributes: { 'service.name': 'billing', 'host.name': 'h1' } } });
    expect(map['g.co/agent']).toEqual(str(AGENT));
    expect(map['service.name']).toEqual(str('billing'));
    // other resource attributes are not copied onto the span
    expect(map).not.toHaveProperty('host.name');
  });

  it('g.co/agent is present even without a service name', () => {
    const map = attributeMap({ resource: { attributes: {} } });
    expect(map).toEqual({ 'g.co/agent': str(AGENT) });
  });
});

describe('toCloudTraceSpan: limits', () => {
  describe('display name (128 bytes)', () => {
    const rows: Array<{ readonly rule: string; readonly name: string; readonly expected: CloudTraceSpan['displayName'] }> = [
      { rule: '128 ASCII bytes are kept', name: a(128), expected: { value: a(128) } },
      { rule: '129 ASCII bytes lose one', name: a(129), expected: { value: a(128), truncatedByteCount: 1 } },
      { rule: "64 'é' (128 bytes) are kept", name: 'é'.repeat(64), expected: { value: 'é'.repeat(64) } },
      { rule: "'é' straddling the limit is dropped whole", name: 'a' + 'é'.repeat(64), expected: { value: 'a' + 'é'.repeat(63), truncatedByteCount: 2 } },
      { rule: "'€' straddling the limit is dropped whole", name: a(126) + '€', expected: { value: a(126), truncatedByteCount: 3 } },
      { rule: "'😀' straddling the limit is dropped whole", name: a(125) + '😀', expected: { value: a(125), truncatedByteCount: 4 } },
      { rule: "'😀' ending at the limit is kept", name: a(124) + '😀', expected: { value: a(124) + '😀' } },
      { rule: 'only surrogate pairs: 32 fit', name: '😀'.repeat(40), expected: { value: '😀'.repeat(32), truncatedByteCount: 32 } },
    ];
    it.each(rows)('$rule', ({ name, expected }) => {
      const out = convert({ name }).displayName;
      expect(out).toEqual(expected);
      expect(bytes(out.value)).toBeLessThanOrEqual(128);
    });
  });

  describe('attribute keys (128 bytes)', () => {
    it('a long ASCII key is cut to 128 bytes, its value kept', () => {
      const map = attributeMap({ attributes: { [a(200)]: 'v' } });
      expect(map[a(128)]).toEqual(str('v'));
      expect(map).not.toHaveProperty(a(200));
    });

    it('a multi-byte key is cut on a character boundary', () => {
      const key = 'k' + '€'.repeat(50); // 151 bytes
      const cut = 'k' + '€'.repeat(42); // 127 bytes: a 43rd '€' would need 130
      const map = attributeMap({ attributes: { [key]: 1 } });
      expect(map[cut]).toEqual({ intValue: '1' });
      expect(Object.keys(map).filter((k) => k.startsWith('k'))).toEqual([cut]);
    });

    it('a key of surrogate pairs is never split', () => {
      const map = attributeMap({ attributes: { ['😀'.repeat(40)]: true } });
      expect(map['😀'.repeat(32)]).toEqual({ boolValue: true });
    });

    // The v2 API counts attributes "discarded because their keys are too long" as dropped.
    it('two long keys that collide once cut: the lost one is counted as dropped', () => {
      const out = convert({ attributes: { [a(128) + 'A']: 'first', [a(128) + 'B']: 'second' } });
      expect(out.attributes.attributeMap[a(128)]).toEqual(str('first'));
      expect(out.attributes.droppedAttributesCount).toBe(1);
    });
  });

  describe('string values (256 bytes)', () => {
    const rows: Array<{ readonly rule: string; readonly value: string; readonly expected: CloudAttributeValue }> = [
      { rule: '256 bytes are kept whole', value: a(256), expected: { stringValue: { value: a(256) } } },
      { rule: '300 bytes lose 44', value: a(300), expected: { stringValue: { value: a(256), truncatedByteCount: 44 } } },
      { rule: "'é' straddling the limit", value: a(255) + 'é', expected: { stringValue: { value: a(255), truncatedByteCount: 2 } } },
      { rule: "'€' straddling the limit", value: a(254) + '€', expected: { stringValue: { value: a(254), truncatedByteCount: 3 } } },
      { rule: "'😀' straddling the limit", value: 'a' + '😀'.repeat(64), expected: { stringValue: { value: 'a' + '😀'.repeat(63), truncatedByteCount: 4 } } },
      { rule: 'only surrogate pairs', value: '😀'.repeat(65), expected: { stringValue: { value: '😀'.repeat(64), truncatedByteCount: 4 } } },
    ];
    it.each(rows)('$rule', ({ value, expected }) => {
      expect(attributeMap({ attributes: { 'x.text': value } })['x.text']).toEqual(expected);
    });

    it('an array converted to a string is cut too', () => {
      const value = Array.from({ length: 100 }, () => 'abc'); // JSON: 1 + 100*5 + 99 + 1 = 601 bytes
      const json = JSON.stringify(value);
      expect(attributeMap({ attributes: { 'x.list': value } })['x.list']).toEqual({
        stringValue: { value: json.slice(0, 256), truncatedByteCount: bytes(json) - 256 },
      });
    });

    it('a standard label value is cut too', () => {
      const url = `https://shop.example/${'p'.repeat(300)}`;
      const map = attributeMap({ attributes: { 'url.full': url } });
      expect(map['/http/url']).toEqual({ stringValue: { value: url.slice(0, 256), truncatedByteCount: url.length - 256 } });
    });
  });

  describe('attribute count (32 per span)', () => {
    it('30 span attributes + agent + service.name = 32: nothing dropped', () => {
      const out = convert({ attributes: manyAttributes(30) });
      expect(Object.keys(out.attributes.attributeMap)).toHaveLength(32);
      expect(out.attributes).not.toHaveProperty('droppedAttributesCount');
    });

    it('31 span attributes: one dropped, the last one', () => {
      const out = convert({ attributes: manyAttributes(31) });
      expect(Object.keys(out.attributes.attributeMap)).toHaveLength(32);
      expect(out.attributes.droppedAttributesCount).toBe(1);
      expect(out.attributes.attributeMap).toHaveProperty('a29');
      expect(out.attributes.attributeMap).not.toHaveProperty('a30');
    });

    it('standard labels, agent and service.name are kept first; the extra and the span own drops are counted', () => {
      const attributes: Attributes = { ...manyAttributes(40), 'http.request.method': 'GET', 'http.route': '/orders' };
      const out = convert({ attributes, droppedAttributesCount: 5 });
      const keys = Object.keys(out.attributes.attributeMap);
      expect(keys).toHaveLength(32);
      // entries: 2 labels + agent + service.name + 42 span attributes = 46; 32 kept
      expect(out.attributes.droppedAttributesCount).toBe(46 - 32 + 5);
      expect(keys.slice(0, 4)).toEqual(['/http/method', '/http/route', 'g.co/agent', 'service.name']);
      expect(out.attributes.attributeMap['/http/method']).toEqual(str('GET'));
      expect(out.attributes.attributeMap['/http/route']).toEqual(str('/orders'));
      expect(keys.slice(4)).toEqual(Object.keys(manyAttributes(28)));
      // the raw OTel attributes came last and were among the dropped
      expect(keys).not.toContain('http.request.method');
    });

    it('the span own droppedAttributesCount is reported even under the limit', () => {
      expect(convert({ attributes: { x: 1 }, droppedAttributesCount: 3 }).attributes.droppedAttributesCount).toBe(3);
    });
  });

  describe('annotations (32 per span, 4 attributes each)', () => {
    it('maps an event to a time event', () => {
      const out = convert({ events: [spanEvent('cache miss', { key: 'user:1', size: 3 }, { time: 1_700_000_000_200.5 })] });
      expect(out.timeEvents).toEqual({
        timeEvent: [
          {
            time: '2023-11-14T22:13:20.200500Z',
            annotation: { description: { value: 'cache miss' }, attributes: { attributeMap: { key: str('user:1'), size: { intValue: '3' } } } },
          },
        ],
      });
    });

    it('32 events are all kept', () => {
      const events = Array.from({ length: 32 }, (_, i) => spanEvent(`e${i}`));
      const out = convert({ events });
      expect(out.timeEvents!.timeEvent).toHaveLength(32);
      expect(out.timeEvents).not.toHaveProperty('droppedAnnotationsCount');
    });

    it('keeps the newest 32 and counts the rest with the span own dropped events', () => {
      const events = Array.from({ length: 40 }, (_, i) => spanEvent(`e${i}`, {}, { time: START + i }));
      const out = convert({ events, droppedEventsCount: 2 });
      const descriptions = out.timeEvents!.timeEvent.map((t) => t.annotation.description.value);
      expect(descriptions).toEqual(Array.from({ length: 32 }, (_, i) => `e${i + 8}`));
      expect(out.timeEvents!.droppedAnnotationsCount).toBe(8 + 2);
    });

    it('no events but some dropped: an empty list and the count', () => {
      expect(convert({ droppedEventsCount: 4 }).timeEvents).toEqual({ timeEvent: [], droppedAnnotationsCount: 4 });
    });

    it('keeps 4 attributes per annotation and counts the rest with the event own drops', () => {
      const event = spanEvent('retry', manyAttributes(6, 'k'), { droppedAttributesCount: 1 });
      const attributes = convert({ events: [event] }).timeEvents!.timeEvent[0]!.annotation.attributes;
      expect(attributes).toEqual({
        attributeMap: { k00: str('v0'), k01: str('v1'), k02: str('v2'), k03: str('v3') },
        droppedAttributesCount: 2 + 1,
      });
    });

    it('annotation attributes carry no agent or service label', () => {
      const attributes = convert({ events: [spanEvent('e', { 'http.method': 'GET' })] }).timeEvents!.timeEvent[0]!.annotation.attributes;
      expect(attributes).toEqual({ attributeMap: { 'http.method': str('GET') } });
    });

    it.each([
      ['256 bytes kept', a(256), { value: a(256) }],
      ['ASCII over the limit', a(260), { value: a(256), truncatedByteCount: 4 }],
      ["'€' straddling", '€'.repeat(86), { value: '€'.repeat(85), truncatedByteCount: 3 }],
      ["'😀' straddling", a(254) + '😀', { value: a(254), truncatedByteCount: 4 }],
    ])('description limit 256 bytes: %s', (_rule, name, expected) => {
      expect(convert({ events: [spanEvent(name)] }).timeEvents!.timeEvent[0]!.annotation.description).toEqual(expected);
    });
  });

  describe('links (128 per span)', () => {
    it('maps a link', () => {
      const out = convert({ links: [spanLink(OTHER_TRACE, PARENT_ID, { 'link.kind': 'batch', n: 2 })] });
      expect(out.links).toEqual({
        link: [
          {
            traceId: OTHER_TRACE,
            spanId: PARENT_ID,
            type: 'TYPE_UNSPECIFIED',
            attributes: { attributeMap: { 'link.kind': str('batch'), n: { intValue: '2' } } },
          },
        ],
      });
    });

    it('a link without attributes has an empty map; its own drops are reported', () => {
      const out = convert({ links: [spanLink(OTHER_TRACE, PARENT_ID), spanLink(OTHER_TRACE, SPAN_ID, { a: 'b' }, 3)] });
      expect(out.links!.link[0]!.attributes).toEqual({ attributeMap: {} });
      expect(out.links!.link[1]!.attributes).toEqual({ attributeMap: { a: str('b') }, droppedAttributesCount: 3 });
    });

    it('128 links are all kept', () => {
      const links = Array.from({ length: 128 }, (_, i) => spanLink(OTHER_TRACE, hexSpanId(i + 1)));
      const out = convert({ links });
      expect(out.links!.link).toHaveLength(128);
      expect(out.links).not.toHaveProperty('droppedLinksCount');
    });

    it('keeps the first 128 and counts the rest with the span own dropped links', () => {
      const links = Array.from({ length: 130 }, (_, i) => spanLink(OTHER_TRACE, hexSpanId(i + 1)));
      const out = convert({ links, droppedLinksCount: 1 });
      expect(out.links!.link).toHaveLength(128);
      expect(out.links!.link[0]!.spanId).toBe(hexSpanId(1));
      expect(out.links!.link[127]!.spanId).toBe(hexSpanId(128));
      expect(out.links!.droppedLinksCount).toBe(2 + 1);
    });

    it('no links but some dropped: an empty list and the count', () => {
      expect(convert({ droppedLinksCount: 2 }).links).toEqual({ link: [], droppedLinksCount: 2 });
    });
  });

  describe('stack trace from exception events', () => {
    const exception = (stack: string, time = START + 1) =>
      spanEvent('exception', { 'exception.type': 'Error', 'exception.message': 'boom', 'exception.stacktrace': stack }, { time });

    it('parses exception.stacktrace into frames', () => {
      const stack = ['Error: boom', '    at load (/srv/app/db.js:12:7)', '    at /srv/app/server.js:30:5'].join('\n');
      expect(convert({ events: [exception(stack)] }).stackTrace).toEqual({
        stackFrames: {
          frame: [
            { functionName: { value: 'load' }, fileName: { value: '/srv/app/db.js' }, lineNumber: '12', columnNumber: '7' },
            { fileName: { value: '/srv/app/server.js' }, lineNumber: '30', columnNumber: '5' },
          ],
        },
      });
    });

    it('keeps at most 128 frames and counts the rest', () => {
      const stack = ['Error: deep', ...Array.from({ length: 140 }, (_, i) => `    at f${i} (/srv/app/deep.js:${i + 1}:1)`)].join('\n');
      const trace = convert({ events: [exception(stack)] }).stackTrace!;
      expect(trace.stackFrames.frame).toHaveLength(128);
      expect(trace.stackFrames.droppedFramesCount).toBe(12);
      expect(trace.stackFrames.frame[127]).toEqual({ functionName: { value: 'f127' }, fileName: { value: '/srv/app/deep.js' }, lineNumber: '128', columnNumber: '1' });
    });

    it('uses the latest exception event', () => {
      const out = convert({
        events: [exception('Error: first\n    at first (/srv/a.js:1:1)'), spanEvent('log'), exception('Error: second\n    at second (/srv/b.js:2:2)', START + 5)],
      });
      expect(out.stackTrace!.stackFrames.frame.map((f) => f.functionName?.value)).toEqual(['second']);
    });

    it('the exception event itself is still an annotation', () => {
      const out = convert({ events: [exception('Error: boom\n    at f (/srv/a.js:1:1)')] });
      expect(out.timeEvents!.timeEvent[0]!.annotation.description).toEqual({ value: 'exception' });
      expect(out.timeEvents!.timeEvent[0]!.annotation.attributes.attributeMap['exception.message']).toEqual(str('boom'));
    });

    it.each([
      ['an exception event without a stack trace', [spanEvent('exception', { 'exception.message': 'boom' })]],
      ['a stack trace with no parsable frame', [spanEvent('exception', { 'exception.stacktrace': 'Error: boom' })]],
      ['a stack trace on an event not named exception', [spanEvent('error', { 'exception.stacktrace': 'Error\n    at f (/srv/a.js:1:1)' })]],
      ['a non-string stack trace', [spanEvent('exception', { 'exception.stacktrace': 42 })]],
    ])('no stackTrace for %s', (_rule, events) => {
      expect(convert({ events })).not.toHaveProperty('stackTrace');
    });
  });
});
