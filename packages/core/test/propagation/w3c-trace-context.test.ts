import { createTracer, HeaderReader, TraceState, w3cTraceContextPropagator, type Carrier } from '../../src';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';
const VALID = `00-${TRACE_ID}-${SPAN_ID}-01`;

function extract(carrier: Carrier) {
  return w3cTraceContextPropagator.extract(new HeaderReader(carrier));
}

/** The tracestate that would be sent on: an invalid list reads as empty (parsed lazily). */
function effective(state: TraceState | undefined): TraceState | undefined {
  return state !== undefined && state.size > 0 ? state : undefined;
}

describe('traceparent', () => {
  it('reads a valid version 00 header', () => {
    expect(extract({ traceparent: VALID })).toEqual({ traceId: TRACE_ID, spanId: SPAN_ID, sampled: true, randomTraceId: false, isRemote: true });
  });

  it.each([
    ['00', false, false],
    ['01', true, false],
    ['02', false, true],
    ['03', true, true],
    ['09', true, false],
  ])('flags %s: sampled=%s random=%s', (flags, sampled, random) => {
    const context = extract({ traceparent: `00-${TRACE_ID}-${SPAN_ID}-${flags}` });
    expect(context?.sampled).toBe(sampled);
    expect(context?.randomTraceId).toBe(random);
  });

  it.each([
    ['version ff', `ff-${TRACE_ID}-${SPAN_ID}-01`],
    ['version 00 with an extra field', `${VALID}-what-the-future-will-not-be-like`],
    ['version 00 with a trailing dash', `${VALID}-`],
    ['uppercase trace id', `00-${TRACE_ID.toUpperCase()}-${SPAN_ID}-01`],
    ['uppercase span id', `00-${TRACE_ID}-00F067AA0BA902B7-01`],
    ['uppercase version', `0A-${TRACE_ID}-${SPAN_ID}-01`],
    ['uppercase flags', `00-${TRACE_ID}-${SPAN_ID}-0A`],
    ['all-zero trace id', `00-${'0'.repeat(32)}-${SPAN_ID}-01`],
    ['all-zero span id', `00-${TRACE_ID}-${'0'.repeat(16)}-01`],
    ['short trace id', `00-${TRACE_ID.slice(1)}-${SPAN_ID}-01`],
    ['long span id', `00-${TRACE_ID}-${SPAN_ID}0-01`],
    ['non-hex character', `00-${TRACE_ID.slice(0, 31)}g-${SPAN_ID}-01`],
    ['wrong separator', `00_${TRACE_ID}-${SPAN_ID}-01`],
    ['one-digit flags', `00-${TRACE_ID}-${SPAN_ID}-1`],
    ['empty', ''],
    ['garbage', 'not a traceparent at all, but long enough to pass the length test........'],
    ['two values joined by Node', `${VALID}, ${VALID}`],
    ['non-ASCII', `00-${TRACE_ID.slice(0, 31)}é-${SPAN_ID}-01`],
  ])('rejects %s', (_name, value) => {
    expect(extract({ traceparent: value })).toBeUndefined();
  });

  it('rejects two traceparent headers', () => {
    expect(extract({ traceparent: [VALID, VALID] })).toBeUndefined();
  });

  it('reads a future version by its first four fields', () => {
    expect(extract({ traceparent: `cc-${TRACE_ID}-${SPAN_ID}-01-what-the-future-will-be-like` })).toMatchObject({ traceId: TRACE_ID, spanId: SPAN_ID, sampled: true });
    expect(extract({ traceparent: `cc-${TRACE_ID}-${SPAN_ID}-01` })).toMatchObject({ traceId: TRACE_ID });
    expect(extract({ traceparent: `cc-${TRACE_ID}-${SPAN_ID}-01.what-the-future` })).toBeUndefined();
  });

  it('sends a future version on as version 00', () => {
    const tracer = createTracer({ propagators: ['tracecontext'] });
    const parent = tracer.extract({ traceparent: `cc-${TRACE_ID}-${SPAN_ID}-01-future` });
    const headers: Record<string, string> = {};
    tracer.inject(tracer.startSpan('s', { parent }), headers);
    expect(headers.traceparent).toMatch(new RegExp(`^00-${TRACE_ID}-[0-9a-f]{16}-01$`));
  });

  it('tolerates optional whitespace around the value and any header-name case', () => {
    expect(extract({ traceparent: ` \t${VALID} ` })?.traceId).toBe(TRACE_ID);
    expect(extract({ TraceParent: VALID })?.traceId).toBe(TRACE_ID);
    expect(extract(new Headers({ TRACEPARENT: VALID }))?.traceId).toBe(TRACE_ID);
  });

  it('keeps the random flag unchanged along the trace', () => {
    const tracer = createTracer();
    for (const flags of ['01', '03']) {
      const parent = tracer.extract({ traceparent: `00-${TRACE_ID}-${SPAN_ID}-${flags}` });
      const headers: Record<string, string> = {};
      tracer.inject(tracer.startSpan('s', { parent }), headers);
      expect(headers.traceparent!.slice(-2)).toBe(flags);
    }
  });
});

describe('tracestate', () => {
  const withState = (tracestate: string | string[]) => effective(extract({ traceparent: VALID, tracestate })?.traceState);

  it('is read only with a valid traceparent', () => {
    expect(extract({ tracestate: 'a=1' })).toBeUndefined();
    expect(extract({ traceparent: 'bad', tracestate: 'a=1' })).toBeUndefined();
  });

  it('combines several headers in order and skips empty members', () => {
    expect(withState(['foo=1,bar=2', ' ,baz=3 ', ''])?.serialize()).toBe('foo=1,bar=2,baz=3');
    expect(withState('foo=1,,  ,\tbar=2')?.serialize()).toBe('foo=1,bar=2');
  });

  it('accepts the full key and value grammar', () => {
    const key = `a${'z0_-*/@'.repeat(42)}abc`.slice(0, 256);
    const digitKey = `0@${'a'.repeat(253)}@`;
    const value = `${' !"#$%&\'()*+-./:;<>?@[\\]^_`{|}~'.repeat(8)}x`.slice(-256);
    const state = withState(`${key}=1,${digitKey}=2,v=${value}`);
    expect(key.length).toBe(256);
    expect(digitKey.length).toBe(256);
    expect(state?.get(key)).toBe('1');
    expect(state?.get(digitKey)).toBe('2');
    expect(state?.get('v')).toBe(value);
  });

  // Key grammar of Level 2 as the W3C suite checks it since w3c/trace-context acab820:
  // [a-z0-9] then up to 255 of [a-z0-9_-*/@], '@' anywhere after the first character.
  it.each([
    'foo@',
    'foo@@bar',
    'foo@bar@baz',
    '1special',
    't@1v',
    'special@vendor',
    'z'.repeat(256),
    `${'t'.repeat(241)}@${'v'.repeat(14)}`,
    `${'t'.repeat(242)}@v`,
    `t@${'v'.repeat(15)}`,
    `a${'@'.repeat(255)}`,
  ])('accepts the key %s', (key) => {
    expect(TraceState.empty().set(key, 'x').get(key)).toBe('x');
    const state = withState(['foo=1', `${key}=1,bar=2`]);
    expect(state?.serialize()).toBe(`foo=1,${key}=1,bar=2`);
    expect(state?.get(key)).toBe('1');
  });

  it.each([
    ['starting with @', '@vendor'],
    ['with a dot', 'special.vendor'],
    ['of 257 characters', 'z'.repeat(257)],
    ['of 257 characters with @', `${'t'.repeat(242)}@${'v'.repeat(14)}`],
    ['uppercase', 'Foo'],
    ['uppercase after @', 'foo@Bar'],
    ['empty', ''],
    ['with a space', 'foo bar'],
  ])('rejects a key %s', (_name, key) => {
    expect(TraceState.empty().set(key, 'x').size).toBe(0);
    if (key !== '') expect(withState(`ok=1,${key}=1`)).toBeUndefined();
  });

  it.each([
    ['uppercase key', 'Foo=1'],
    ['key starting with @', '@foo=1'],
    ['key longer than 256', `${'a'.repeat(257)}=1`],
    ['key with a dot', 'foo.bar=1'],
    ['empty key', '=1'],
    ['empty value', 'foo='],
    ['value with =', 'foo=a=b'],
    ['value with a non-ASCII character', 'foo=é'],
    ['value longer than 256', `foo=${'x'.repeat(257)}`],
    ['member without =', 'foo'],
    ['33 members', Array.from({ length: 33 }, (_, i) => `k${i}=v`).join(',')],
    ['33 members counting repeated keys', Array.from({ length: 33 }, () => 'k=v').join(',')],
  ])('discards the whole header on %s', (_name, header) => {
    expect(withState(`ok=1,${header}`)).toBeUndefined();
    expect(extract({ traceparent: VALID, tracestate: header })?.traceId).toBe(TRACE_ID);
    const tracer = createTracer();
    const sent: Record<string, string> = {};
    tracer.inject(tracer.startSpan('s', { parent: tracer.extract({ traceparent: VALID, tracestate: `ok=1,${header}` }) }), sent);
    expect(sent.traceparent).toBeDefined();
    expect(sent.tracestate).toBeUndefined();
  });

  // The spec lets a repeated key be passed on as is or with one of them dropped (the W3C suite
  // accepts both since acab820): we keep the first (left-most, most recent) and drop the others.
  it.each([
    ['foo=1,foo=1', 'foo=1'],
    ['foo=1,foo=2', 'foo=1'],
    [['foo=1', 'foo=1'], 'foo=1'],
    [['foo=1', 'foo=2'], 'foo=1'],
    ['foo=1,bar=2,foo=3', 'foo=1,bar=2'],
    [['a=1,b=2', 'c=3,a=4', 'b=5,d=6'], 'a=1,b=2,c=3,d=6'],
  ])('passes %j on with the first occurrence of a repeated key', (header, expected) => {
    const state = withState(header);
    expect(state?.serialize()).toBe(expected);
    const tracer = createTracer();
    const sent: Record<string, string> = {};
    tracer.inject(tracer.startSpan('s', { parent: tracer.extract({ traceparent: VALID, tracestate: header }) }), sent);
    expect(sent.tracestate).toBe(expected);
  });

  it('counts repeated keys against the 32-member limit, and set()/unset() see one entry per key', () => {
    const state = TraceState.parse(Array.from({ length: 32 }, (_, i) => `k${i % 2}=v${i}`).join(','))!;
    expect(state.serialize()).toBe('k0=v0,k1=v1');
    expect(state.size).toBe(2);
    expect(state.get('k1')).toBe('v1');
    expect(state.set('k1', 'new').serialize()).toBe('k1=new,k0=v0');
    expect(state.unset('k0').serialize()).toBe('k1=v1');
    expect(TraceState.parse(Array.from({ length: 33 }, (_, i) => `k${i % 2}=v${i}`).join(','))).toBeUndefined();
  });

  it('keeps 32 members, in order', () => {
    const members = Array.from({ length: 32 }, (_, i) => `k${i}=v${i}`).join(',');
    expect(withState(members)?.serialize()).toBe(members);
  });

  it('propagates long values intact (well beyond 512 characters)', () => {
    const members = Array.from({ length: 8 }, (_, i) => `k${i}=${'x'.repeat(200)}`).join(',');
    expect(members.length).toBeGreaterThan(512);
    const tracer = createTracer();
    const parent = tracer.extract({ traceparent: VALID, tracestate: members });
    const headers: Record<string, string> = {};
    tracer.inject(tracer.startSpan('s', { parent }), headers);
    expect(headers.tracestate).toBe(members);
  });

  it('set() moves our entry to the front and removes the right-most member when full', () => {
    const full = TraceState.parse(Array.from({ length: 32 }, (_, i) => `k${i}=v`).join(','))!;
    const updated = full.set('tw', 'x');
    expect(updated.size).toBe(32);
    expect(updated.serialize().startsWith('tw=x,k0=v')).toBe(true);
    expect(updated.get('k31')).toBeUndefined();
    const moved = TraceState.parse('a=1,tw=old,b=2')!.set('tw', 'new');
    expect(moved.serialize()).toBe('tw=new,a=1,b=2');
    expect(moved.unset('a').serialize()).toBe('tw=new,b=2');
    expect(moved.set('Bad Key', 'x')).toBe(moved);
  });
});

// Cases of the W3C trace-context test suite (test/test.py), as extract-level checks.
describe('W3C test suite cases', () => {
  const tp = (value: string) => extract({ traceparent: value });
  const T = '12345678901234567890123456789012';
  const P = '1234567890123456';

  it('ignores trace-parent and trace.parent, accepts any casing of traceparent', () => {
    expect(extract({ 'trace-parent': `00-${T}-${P}-01`, 'trace.parent': `00-${T}-${P}-01` })).toBeUndefined();
    for (const name of ['TraceParent', 'TrAcEpArEnT', 'TRACEPARENT']) expect(extract({ [name]: `00-${T}-${P}-01` })?.traceId).toBe(T);
  });

  it.each([
    `.0-${T}-${P}-01`,
    `0.-${T}-${P}-01`,
    `000-${T}-${P}-01`,
    `0000-${T}-${P}-01`,
    `0-${T}-${P}-01`,
    `00-.${T.slice(1)}-${P}-01`,
    `00-${T}1-${P}-01`,
    `00-${T}-.${P.slice(1)}-01`,
    `00-${T}-${P}-.0`,
    `00-${T}-${P}-001`,
    `00-${T}-${P}-01.`,
  ])('restarts on %s', (value) => {
    expect(tp(value)).toBeUndefined();
  });

  it('keeps every allowed key and value character byte for byte, including a leading space in a value', () => {
    const key = 'abcdefghijklmnopqrstuvwxyz0123456789_-*/';
    const vendorKey = `${key}@a-z0-9_-*/`;
    const value = ' !"#$%&\'()*+-./0123456789:;<>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~';
    const state = extract({ traceparent: VALID, tracestate: `${key}=${value},${vendorKey}=${value}` })?.traceState;
    expect(state?.get(key)).toBe(value);
    expect(state?.get(vendorKey)).toBe(value);
  });

  it('handles empty tracestate headers next to real ones, and OWS between members', () => {
    expect(effective(extract({ traceparent: VALID, tracestate: '' })?.traceState)).toBeUndefined();
    expect(effective(extract({ traceparent: VALID, tracestate: ['foo=1', ''] })?.traceState)?.serialize()).toBe('foo=1');
    expect(effective(extract({ traceparent: VALID, tracestate: ['', 'foo=1'] })?.traceState)?.serialize()).toBe('foo=1');
    expect(effective(extract({ traceparent: VALID, tracestate: 'foo=1 \t , \t bar=2, \t baz=3' })?.traceState)?.serialize()).toBe('foo=1,bar=2,baz=3');
  });

  it.each(['foo@=1,bar=2', 'foo@@bar=1,bar=2', 'foo@bar@baz=1,bar=2'])('passes on keys with @ after the first character: %s', (header) => {
    expect(effective(extract({ traceparent: VALID, tracestate: header })?.traceState)?.serialize()).toBe(header);
  });

  it.each(['@foo=1,bar=2', 'foo =1', 'FOO=1', 'foo.bar=1', 'foo=bar=baz', 'foo=,bar=3'])('drops the whole tracestate for %s', (header) => {
    expect(effective(extract({ traceparent: VALID, tracestate: header })?.traceState)).toBeUndefined();
  });

  it('key length: 256 characters pass, 257 drop the list, @ anywhere within the 256', () => {
    const passed = (key: string) => effective(extract({ traceparent: VALID, tracestate: ['foo=1', `${key}=1`] })?.traceState);
    for (const key of ['z'.repeat(256), `${'t'.repeat(241)}@${'v'.repeat(14)}`, `${'t'.repeat(242)}@v`, `t@${'v'.repeat(15)}`]) {
      expect(passed(key)?.serialize()).toBe(`foo=1,${key}=1`);
    }
    expect(passed('z'.repeat(257))).toBeUndefined();
  });

  it('passes duplicated keys on with one of them (foo=1,foo=1 / foo=1,foo=2, in one header or two)', () => {
    for (const header of ['foo=1,foo=1', ['foo=1', 'foo=1'], 'foo=1,foo=2', ['foo=1', 'foo=2']]) {
      const context = extract({ traceparent: `00-${T}-${P}-00`, tracestate: header });
      expect(context?.traceId).toBe(T);
      expect(effective(context?.traceState)?.serialize()).toBe('foo=1');
    }
  });

  it('keeps 32 members spread over 4 headers', () => {
    const headers = Array.from({ length: 4 }, (_, h) => Array.from({ length: 8 }, (_, i) => `bar${String(h * 8 + i + 1).padStart(2, '0')}=${h}${i}`).join(','));
    const state = extract({ traceparent: VALID, tracestate: headers })?.traceState;
    expect(state?.size).toBe(32);
    expect(state?.get('bar01')).toBe('00');
  });
});
