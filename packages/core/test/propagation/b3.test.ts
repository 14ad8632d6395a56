import { b3MultiPropagator, b3SinglePropagator, createTracer, HeaderReader, type Carrier } from '../../src';

const T128 = '80f198ee56343ba864fe8b2a57d3eff7';
const T64 = '64fe8b2a57d3eff7';
const SPAN = 'e457b5a2e4d86bd1';
const PARENT = '05e3ac9a4f6e3b90';

const single = (b3: string | string[]) => b3SinglePropagator.extract(new HeaderReader({ b3 }));
const multi = (headers: Carrier) => b3MultiPropagator.extract(new HeaderReader(headers));

describe('b3 single header', () => {
  it.each([
    [`${T128}-${SPAN}-1-${PARENT}`, T128, { sampled: true }],
    [`${T128}-${SPAN}-1`, T128, { sampled: true }],
    [`${T128}-${SPAN}-0`, T128, { sampled: false }],
    [`${T128}-${SPAN}-d`, T128, { sampled: true, debug: true }],
    [`${T128}-${SPAN}`, T128, {}],
    [`${T64}-${SPAN}-1`, `${'0'.repeat(16)}${T64}`, { sampled: true }],
  ])('reads %s', (value, traceId, decision) => {
    expect(single(value)).toEqual({ traceId, spanId: SPAN, isRemote: true, ...decision });
  });

  it('leaves the decision to the local sampler when there is no sampling state', () => {
    expect(single(`${T128}-${SPAN}`)?.sampled).toBeUndefined();
  });

  it('reads the decision-only forms (deny-only b3: 0, accept 1, debug d) as a decision without ids', () => {
    expect(single('0')).toEqual({ traceId: '', spanId: '', sampled: false, isRemote: true });
    expect(single('1')).toEqual({ traceId: '', spanId: '', sampled: true, isRemote: true });
    expect(single('d')).toEqual({ traceId: '', spanId: '', sampled: true, debug: true, isRemote: true });
  });

  it('takes the first value of a repeated header', () => {
    expect(single([`${T128}-${SPAN}-0`, `${T64}-${SPAN}-1`])).toMatchObject({ traceId: T128, sampled: false });
  });

  it.each([
    ['uppercase ids', `${T128.toUpperCase()}-${SPAN}-1`],
    ['48-bit trace id', `${T64.slice(4)}-${SPAN}-1`],
    ['zero trace id', `${'0'.repeat(32)}-${SPAN}-1`],
    ['zero span id', `${T128}-${'0'.repeat(16)}-1`],
    ['bad sampling state', `${T128}-${SPAN}-true`],
    ['bad parent id', `${T128}-${SPAN}-1-xyz`],
    ['too many fields', `${T128}-${SPAN}-1-${PARENT}-x`],
    ['trace id only', T128],
    ['unknown single state', 'x'],
    ['empty', ''],
  ])('rejects %s', (_name, value) => {
    expect(single(value)).toBeUndefined();
  });

  it('injects traceid-spanid-state, d for debug, and b3: 0 for a deny-only decision', () => {
    const tracer = createTracer({ propagators: ['b3'] });
    const out = (context: object) => {
      const headers: Record<string, string> = {};
      tracer.inject(context as never, headers);
      return headers;
    };
    expect(out({ traceId: T128, spanId: SPAN, sampled: true })).toEqual({ b3: `${T128}-${SPAN}-1` });
    expect(out({ traceId: T128, spanId: SPAN, sampled: false })).toEqual({ b3: `${T128}-${SPAN}-0` });
    expect(out({ traceId: T128, spanId: SPAN, sampled: true, debug: true })).toEqual({ b3: `${T128}-${SPAN}-d` });
    expect(out({ traceId: '', spanId: '', sampled: false })).toEqual({ b3: '0' });
  });
});

describe('b3 multiple headers', () => {
  it('reads ids, parent, sampled and flags', () => {
    expect(multi({ 'x-b3-traceid': T128, 'x-b3-spanid': SPAN, 'x-b3-parentspanid': PARENT, 'x-b3-sampled': '1' })).toEqual({
      traceId: T128,
      spanId: SPAN,
      sampled: true,
      isRemote: true,
    });
    expect(multi({ 'X-B3-TraceId': T64, 'X-B3-SpanId': SPAN })).toEqual({ traceId: `${'0'.repeat(16)}${T64}`, spanId: SPAN, isRemote: true });
  });

  it.each([
    ['1', true],
    ['0', false],
    ['true', true],
    ['false', false],
  ])('X-B3-Sampled: %s', (value, sampled) => {
    expect(multi({ 'x-b3-traceid': T128, 'x-b3-spanid': SPAN, 'x-b3-sampled': value })?.sampled).toBe(sampled);
  });

  it('X-B3-Flags: 1 is debug and implies sampled', () => {
    expect(multi({ 'x-b3-traceid': T128, 'x-b3-spanid': SPAN, 'x-b3-flags': '1' })).toMatchObject({ sampled: true, debug: true });
    expect(multi({ 'x-b3-traceid': T128, 'x-b3-spanid': SPAN, 'x-b3-sampled': '0', 'x-b3-flags': '1' })).toMatchObject({ sampled: true, debug: true });
  });

  it('reads a deny-only X-B3-Sampled: 0 as a decision without ids', () => {
    expect(multi({ 'x-b3-sampled': '0' })).toEqual({ traceId: '', spanId: '', sampled: false, isRemote: true });
  });

  it('lets a single b3 header win over the multi headers', () => {
    const context = multi({ b3: `${T128}-${SPAN}-0`, 'x-b3-traceid': T64, 'x-b3-spanid': PARENT, 'x-b3-sampled': '1' });
    expect(context).toMatchObject({ traceId: T128, spanId: SPAN, sampled: false });
    const tracer = createTracer({ propagators: ['b3multi', 'b3'] });
    expect(tracer.extract({ b3: `${T128}-${SPAN}-0`, 'x-b3-traceid': T64, 'x-b3-spanid': PARENT })?.spanId).toBe(SPAN);
  });

  it.each([
    ['span id missing', { 'x-b3-traceid': T128 }],
    ['trace id missing', { 'x-b3-spanid': SPAN }],
    ['bad trace id', { 'x-b3-traceid': 'xyz', 'x-b3-spanid': SPAN }],
    ['bad parent', { 'x-b3-traceid': T128, 'x-b3-spanid': SPAN, 'x-b3-parentspanid': 'nope' }],
    ['bad sampled', { 'x-b3-traceid': T128, 'x-b3-spanid': SPAN, 'x-b3-sampled': 'yes' }],
    ['nothing', {}],
  ])('rejects %s', (_name, headers) => {
    expect(multi(headers as Carrier)).toBeUndefined();
  });

  it('injects ids and X-B3-Sampled, or X-B3-Flags for debug', () => {
    const tracer = createTracer({ propagators: ['b3multi'] });
    const headers: Record<string, string> = {};
    tracer.inject({ traceId: T128, spanId: SPAN, sampled: true }, headers);
    expect(headers).toEqual({ 'x-b3-traceid': T128, 'x-b3-spanid': SPAN, 'x-b3-sampled': '1' });
    const debug: Record<string, string> = {};
    tracer.inject({ traceId: T128, spanId: SPAN, sampled: true, debug: true }, debug);
    expect(debug).toEqual({ 'x-b3-traceid': T128, 'x-b3-spanid': SPAN, 'x-b3-flags': '1' });
  });
});
