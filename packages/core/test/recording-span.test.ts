import { SpanStatusCode } from '../src';
import { memoryTracer } from './support/memory-tracer';


/** An attribute map has no Object.prototype in its chain: no inherited keys, nothing to pollute. */
function expectInheritsNothing(attrs: object): void {
  let proto = Object.getPrototypeOf(attrs) as object | null;
  while (proto !== null) {
    expect(Reflect.ownKeys(proto)).toEqual([]);
    proto = Object.getPrototypeOf(proto) as object | null;
  }
  expect('toString' in attrs).toBe(false);
  expect('hasOwnProperty' in attrs).toBe(false);
}

describe('span data', () => {
  it('keeps valid attributes, skips invalid ones and copies arrays', () => {
    const { tracer, exporter } = memoryTracer();
    const list = ['a', 'b'];
    tracer
      .startSpan('s')
      .setAttribute('s', 'x')
      .setAttribute('n', 1.5)
      .setAttribute('b', false)
      .setAttribute('list', list)
      .setAttribute('mixed', ['a', 1] as never)
      .setAttribute('obj', {} as never)
      .setAttribute('nil', null)
      .setAttribute('', 'empty key')
      .setAttributes({ __proto__: 'data', constructor: 'also data' } as never)
      .end();
    list.push('c');
    const attrs = exporter.getFinishedSpans()[0]!.attributes;
    expect({ ...attrs }).toEqual({ s: 'x', n: 1.5, b: false, list: ['a', 'b'], constructor: 'also data' });
    expectInheritsNothing(attrs);
  });

  it('treats __proto__ as a plain key, never as a prototype', () => {
    const { tracer, exporter } = memoryTracer();
    tracer.startSpan('s').setAttribute('__proto__', 'x').end();
    const attrs = exporter.getFinishedSpans()[0]!.attributes;
    expectInheritsNothing(attrs);
    expect(Object.prototype.hasOwnProperty.call(attrs, '__proto__')).toBe(true);
    expect(attrs['__proto__']).toBe('x');
  });

  it('keeps many attributes exactly: updates, the limit and a map read early all agree', () => {
    const { tracer, exporter } = memoryTracer({ limits: { attributeCountLimit: 50 } });
    const span = tracer.startSpan('s');
    span.setAttribute('k0', 'first');
    const early = (span as unknown as { attributes: Record<string, unknown> }).attributes;
    for (let i = 1; i < 70; i++) span.setAttribute(`k${i}`, i);
    span.setAttributes({ k0: 'updated', k49: 'last kept', k60: 'over the limit' });
    span.setAttribute('k10', 'updated too');
    span.end();
    const attrs = exporter.getFinishedSpans()[0]!.attributes;
    expect(Object.keys(attrs)).toEqual(Array.from({ length: 50 }, (_, i) => `k${i}`));
    expect(attrs['k0']).toBe('updated');
    expect(attrs['k10']).toBe('updated too');
    expect(attrs['k49']).toBe('last kept');
    expect(attrs['k48']).toBe(48);
    expect(exporter.getFinishedSpans()[0]!.droppedAttributesCount).toBe(21);
    // The map handed out before the span grew is the span's map, kept in step.
    expect(early).toBe(attrs);
  });

  it('drops attributes over the count limit and counts them; updates still apply', () => {
    const { tracer, exporter } = memoryTracer({ limits: { attributeCountLimit: 2, attributeValueLengthLimit: 3 } });
    tracer.startSpan('s').setAttributes({ a: 'abcdef', b: ['long', 'x'], c: 3 }).setAttribute('a', 'zz').setAttribute('d', 4).end();
    const span = exporter.getFinishedSpans()[0]!;
    expect({ ...span.attributes }).toEqual({ a: 'zz', b: ['lon', 'x'] });
    expect(span.droppedAttributesCount).toBe(2);
  });

  it('keeps the newest events over the limit and counts drops; links are capped too', () => {
    const { tracer, exporter } = memoryTracer({ limits: { eventCountLimit: 2, linkCountLimit: 1 } });
    const other = tracer.startSpan('other').spanContext();
    const span = tracer.startSpan('s', { links: [{ context: other }, { context: other }] });
    span.addEvent('e1').addEvent('e2', { k: 'v' }).addEvent('e3', undefined, new Date(1_000)).end();
    const finished = exporter.getFinishedSpans()[0]!;
    expect(finished.events.map((e) => e.name)).toEqual(['e2', 'e3']);
    expect(finished.events[1]!.time).toBe(1_000);
    expect(finished.droppedEventsCount).toBe(1);
    expect(finished.links).toHaveLength(1);
    expect(finished.droppedLinksCount).toBe(1);
  });

  it('follows the status rules: OK is final, UNSET ignored, message only with ERROR', () => {
    const { tracer, exporter } = memoryTracer();
    const a = tracer.startSpan('a').setStatus({ code: SpanStatusCode.ERROR, message: 'bad' });
    a.setStatus({ code: SpanStatusCode.UNSET });
    a.end();
    const b = tracer.startSpan('b').setStatus({ code: SpanStatusCode.OK, message: 'ignored' });
    b.setStatus({ code: SpanStatusCode.ERROR, message: 'too late' });
    b.end();
    const [fa, fb] = exporter.getFinishedSpans();
    expect(fa!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'bad' });
    expect(fb!.status).toEqual({ code: SpanStatusCode.OK });
  });

  it('end() is idempotent and freezes the span', () => {
    const { tracer, exporter } = memoryTracer();
    const span = tracer.startSpan('s');
    expect(span.isRecording()).toBe(true);
    span.end();
    span.end();
    span.setAttribute('late', 1).updateName('renamed').addEvent('late');
    expect(span.isRecording()).toBe(false);
    const spans = exporter.getFinishedSpans();
    expect(spans).toHaveLength(1);
    expect(spans[0]!.name).toBe('s');
    expect(spans[0]!.attributes).toEqual({});
  });

  it('uses an explicit end time, never before the start', () => {
    const { tracer, exporter } = memoryTracer();
    tracer.startSpan('a', { startTime: 5_000 }).end(7_500);
    tracer.startSpan('b', { startTime: 5_000 }).end(1_000);
    const [a, b] = exporter.getFinishedSpans();
    expect([a!.startTime, a!.endTime]).toEqual([5_000, 7_500]);
    expect(b!.endTime).toBe(5_000);
  });

  it('times spans in epoch milliseconds with sub-millisecond precision', async () => {
    const { tracer, exporter } = memoryTracer();
    const before = Date.now();
    const span = tracer.startSpan('s');
    await new Promise((r) => setTimeout(r, 5));
    span.end();
    const after = Date.now();
    const finished = exporter.getFinishedSpans()[0]!;
    expect(finished.startTime).toBeGreaterThanOrEqual(before - 1);
    expect(finished.endTime).toBeLessThanOrEqual(after + 1);
    expect(finished.endTime - finished.startTime).toBeGreaterThanOrEqual(4);
    expect(Math.round(finished.startTime * 1000)).toBeCloseTo(finished.startTime * 1000, 3);
  });

  it('records exceptions of any shape without throwing', () => {
    const { tracer, exporter } = memoryTracer();
    const hostile = new Proxy({}, { get: () => { throw new Error('trap'); } });
    const coded = Object.assign(new Error('refused'), { code: 'ECONNREFUSED' });
    const span = tracer.startSpan('s');
    span.recordException(hostile).recordException('text').recordException(coded).recordException(undefined).end();
    const events = exporter.getFinishedSpans()[0]!.events;
    expect(events).toHaveLength(4);
    expect(events[1]!.attributes['exception.message']).toBe('text');
    expect(events[2]!.attributes['exception.type']).toBe('ECONNREFUSED');
    expect(events[2]!.attributes['exception.message']).toBe('refused');
  });
});
