import fc from 'fast-check';
import { startViewer, DEFAULT_VIEWER_LIMITS, type RunningViewer, type StoredSpan, type StoredValue, type ViewerLimits } from '../src';
import { spanSize } from '../src/stored-size';
import { deeplyNestedProtobuf, otlpJson, otlpProtobuf, type AnyValue, type BodySpan } from './support/otlp-bodies';

const TRACE = 'a'.repeat(32);
const JSON_TYPE = { 'content-type': 'application/json' };
const PROTO_TYPE = { 'content-type': 'application/x-protobuf' };

async function post(viewer: RunningViewer, body: string | Buffer, headers: Record<string, string>): Promise<number> {
  const res = await fetch(`${viewer.url}/v1/traces`, { method: 'POST', body, headers });
  await res.arrayBuffer();
  return res.status;
}

/** A kvlist nested `levels` deep around a string full of characters JSON escapes. */
function nestedKvlist(levels: number): AnyValue {
  let value: AnyValue = { s: '"\\"\\' };
  for (let i = 0; i < levels; i++) value = { kv: [['k', value]] };
  return value;
}

function depthOf(value: StoredValue): number {
  let depth = 0;
  let level: StoredValue[] = [value];
  while (level.length > 0) {
    const next: StoredValue[] = [];
    for (const v of level) if (Array.isArray(v)) next.push(...v);
    if (next.length > 0 || level.some(Array.isArray)) depth++;
    level = next;
  }
  return depth;
}

function everyString(span: StoredSpan): string[] {
  const out = [span.name, span.service, ...Object.keys(span.attributes)];
  const walk = (v: StoredValue): void => {
    if (typeof v === 'string') out.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
  };
  Object.values(span.attributes).forEach(walk);
  for (const e of span.events) {
    out.push(e.name, ...Object.keys(e.attributes));
    Object.values(e.attributes).forEach(walk);
  }
  return out;
}

describe('what the viewer stores is bounded', () => {
  let viewer: RunningViewer;
  afterEach(() => viewer?.close());

  it.each([
    ['OTLP/JSON', (s: BodySpan[]) => otlpJson('amp', s), JSON_TYPE],
    ['OTLP/protobuf', (s: BodySpan[]) => otlpProtobuf('amp', s), PROTO_TYPE],
  ])('a nested kvlist is stored as JSON text escaped once, not once per level (%s)', async (_name, encode, headers) => {
    viewer = await startViewer({ port: 0, log: () => undefined });
    // 7 levels (within the default depth of 8): before the fix, each level re-escaped the text
    // of the level below, so a 6-character string became thousands of characters.
    const body = encode([{ traceId: TRACE, spanId: '1'.repeat(16), name: 'amp', attributes: [['a', nestedKvlist(7)]] }]);
    expect(await post(viewer, body, headers)).toBe(200);
    const stored = viewer.store.trace(TRACE)![0]!.attributes.a as string;
    expect(JSON.parse(stored)).toEqual({ k: { k: { k: { k: { k: { k: { k: '"\\"\\' } } } } } } });
    expect(stored.length).toBeLessThan(100);
  });

  it.each([
    ['OTLP/JSON', (s: BodySpan[]) => otlpJson('deep', s), JSON_TYPE],
    ['OTLP/protobuf', (s: BodySpan[]) => otlpProtobuf('deep', s), PROTO_TYPE],
  ])('values nested deeper than maxValueDepth become a marker, and are counted (%s)', async (_name, encode, headers) => {
    viewer = await startViewer({ port: 0, limits: { maxValueDepth: 3 }, log: () => undefined });
    let arr: AnyValue = { s: 'bottom' };
    for (let i = 0; i < 6; i++) arr = { arr: [arr] };
    const body = encode([{ traceId: TRACE, spanId: '1'.repeat(16), name: 'deep', attributes: [['kv', nestedKvlist(30)], ['arr', arr]] }]);
    expect(await post(viewer, body, headers)).toBe(200);
    const span = viewer.store.trace(TRACE)![0]!;
    expect(JSON.parse(span.attributes.kv as string)).toEqual({ k: { k: { k: '[nested too deep]' } } });
    expect(span.attributes.arr).toEqual([[['[nested too deep]']]]);
    expect(viewer.stats().limits.valuesTooDeep).toBe(2);
  });

  it('a body nested 200,000 levels deep is stored at the depth limit, without exhausting the stack', async () => {
    viewer = await startViewer({ port: 0, log: () => undefined });
    let json = '{"stringValue":"bottom"}';
    json = '{"arrayValue":{"values":['.repeat(200_000) + json + ']}}'.repeat(200_000);
    const body = `{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"${TRACE}","spanId":"${'1'.repeat(16)}","startTimeUnixNano":"1","endTimeUnixNano":"2","attributes":[{"key":"deep","value":${json}}]}]}]}]}`;
    expect(await post(viewer, body, JSON_TYPE)).toBe(200);
    expect(depthOf(viewer.store.trace(TRACE)![0]!.attributes.deep!)).toBe(DEFAULT_VIEWER_LIMITS.maxValueDepth);
    const other = 'b'.repeat(32);
    expect(await post(viewer, deeplyNestedProtobuf(other, '2'.repeat(16), 200_000), PROTO_TYPE)).toBe(200);
    expect(depthOf(viewer.store.trace(other)![0]!.attributes.deep!)).toBe(DEFAULT_VIEWER_LIMITS.maxValueDepth);
  });

  it('cuts long strings and drops what does not fit in a span, counting both', async () => {
    const limits = { maxValueLength: 100, maxSpanBytes: 8192 };
    viewer = await startViewer({ port: 0, limits, log: () => undefined });
    const attributes: Array<[string, AnyValue]> = [['long', { s: 'x'.repeat(5000) }]];
    for (let i = 0; i < 200; i++) attributes.push([`a${i}`, { s: 'y'.repeat(90) }]);
    const events = Array.from({ length: 100 }, (_, i) => ({ name: `e${i}`, attributes: [['v', { s: 'z'.repeat(90) }] as [string, AnyValue]] }));
    expect(await post(viewer, otlpJson('cut', [{ traceId: TRACE, spanId: '1'.repeat(16), name: 'n'.repeat(1000), attributes, events }]), JSON_TYPE)).toBe(200);
    const span = viewer.store.trace(TRACE)![0]!;
    expect(span.name).toHaveLength(100);
    expect(span.name.endsWith('…[truncated]')).toBe(true);
    expect(span.attributes.long).toHaveLength(100);
    expect(spanSize(span)).toBeLessThanOrEqual(8192);
    const stats = viewer.stats().limits;
    expect(stats.valuesTruncated).toBe(2);
    const keptEventAttributes = span.events.reduce((n, e) => n + Object.keys(e.attributes).length, 0);
    expect(stats.attributesDropped).toBe(201 - Object.keys(span.attributes).length + (span.events.length - keptEventAttributes));
    expect(stats.eventsDropped).toBe(100 - span.events.length);
    expect(stats.attributesDropped).toBeGreaterThan(0);
  });

  it('bounds the whole store by bytes, evicting the oldest traces', async () => {
    viewer = await startViewer({ port: 0, limits: { maxSpanBytes: 8192, maxStoreBytes: 64 * 1024 }, log: () => undefined });
    const ids: string[] = [];
    for (let t = 0; t < 40; t++) {
      const traceId = t.toString(16).padStart(32, '0');
      ids.push(traceId);
      const spans = [0, 1].map((i) => ({ traceId, spanId: `${i + 1}`.repeat(16), name: 'big', attributes: [['payload', { s: 'p'.repeat(3000) }] as [string, AnyValue]] }));
      expect(await post(viewer, otlpProtobuf('store', spans), PROTO_TYPE)).toBe(200);
    }
    const stats = viewer.stats().store;
    expect(stats.bytes).toBeLessThanOrEqual(64 * 1024);
    expect(stats.evictedTraces).toBeGreaterThan(0);
    expect(stats.traces + stats.evictedTraces).toBe(40);
    expect(viewer.store.trace(ids[39]!)).toHaveLength(2);
    expect(viewer.store.trace(ids[0]!)).toBeUndefined();
  });

  it.each([
    [{ maxValueDepth: 0 }, /limits.maxValueDepth: expected an integer >= 1, got 0/],
    [{ maxValueLength: 1.5 }, /limits.maxValueLength: expected an integer >= 64/],
    [{ maxSpanBytes: 2 ** 30, maxStoreBytes: 2 ** 20 }, /limits.maxSpanBytes: expected at most maxStoreBytes/],
  ])('rejects limits %p at start', async (limits, message) => {
    await expect(startViewer({ port: 0, limits: limits as ViewerLimits })).rejects.toThrow(message);
  });

  // Any nesting of arrays and kvlists, with strings JSON must escape, in either encoding: the
  // viewer answers 200, stays up, and every bound holds for what it stored.
  it('property: for any nested AnyValue, what is stored stays within the limits', async () => {
    const limits = { maxValueDepth: 4, maxValueLength: 256, maxSpanBytes: 16 * 1024, maxStoreBytes: 96 * 1024 };
    viewer = await startViewer({ port: 0, limits, log: () => undefined });
    const text = fc.string({ unit: fc.constantFrom('"', '\\', 'a', '\n', 'é', '\u0000', '\ud800'), maxLength: 400 });
    const { value } = fc.letrec<{ value: AnyValue }>((tie) => ({
      value: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        text.map((s) => ({ s })),
        fc.nat().map((i) => ({ i })),
        fc.boolean().map((b) => ({ b })),
        fc.array(tie('value'), { maxLength: 4 }).map((arr) => ({ arr })),
        fc.array(fc.tuple(text, tie('value')), { maxLength: 4 }).map((kv) => ({ kv })),
      ),
    }));
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(text, value), { maxLength: 12 }), fc.boolean(), async (attributes, proto) => {
        const traceId = (++n).toString(16).padStart(32, '0');
        const span: BodySpan = { traceId, spanId: '1'.repeat(16), name: 'p', attributes, events: [{ name: 'e', attributes }] };
        const status = await post(viewer, proto ? otlpProtobuf('prop', [span]) : otlpJson('prop', [span]), proto ? PROTO_TYPE : JSON_TYPE);
        if (status !== 200) return false;
        const stored = viewer.store.trace(traceId)?.[0];
        if (stored === undefined) return false; // a 96 KiB store always holds the newest span
        const values = [...Object.values(stored.attributes), ...stored.events.flatMap((e) => Object.values(e.attributes))];
        return (
          spanSize(stored) <= limits.maxSpanBytes &&
          viewer.store.bytes <= limits.maxStoreBytes &&
          everyString(stored).every((s) => s.length <= limits.maxValueLength) &&
          values.every((v) => depthOf(v) <= limits.maxValueDepth)
        );
      }),
      { numRuns: 150 },
    );
    // Still serving.
    expect((await fetch(`${viewer.url}/api/traces`)).status).toBe(200);
  });
});
