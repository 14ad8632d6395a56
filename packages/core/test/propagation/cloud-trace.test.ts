import fc from 'fast-check';
import { cloudTracePropagator, createTracer, HeaderReader } from '../../src';
import { decimalToHexSpanId, hexSpanIdToDecimal } from '../../src/propagation/cloud-trace';

const TRACE_ID = '105445aa7843bc8bf206b12000100000';
const extract = (value: string | string[]) => cloudTracePropagator.extract(new HeaderReader({ 'x-cloud-trace-context': value }));

describe('X-Cloud-Trace-Context', () => {
  it.each([
    [`${TRACE_ID}/1;o=1`, '0000000000000001', true],
    [`${TRACE_ID}/1;o=0`, '0000000000000001', false],
    [`${TRACE_ID}/1;o=3`, '0000000000000001', true],
    [`${TRACE_ID}/1;o=2`, '0000000000000001', false],
    [`${TRACE_ID}/255;o=1`, '00000000000000ff', true],
  ])('reads %s', (value, spanId, sampled) => {
    expect(extract(value)).toEqual({ traceId: TRACE_ID, spanId, sampled, isRemote: true });
  });

  it('converts span ids beyond 2^53 exactly', () => {
    expect(extract(`${TRACE_ID}/18446744073709551615;o=1`)?.spanId).toBe('ffffffffffffffff');
    expect(extract(`${TRACE_ID}/9007199254740993;o=1`)?.spanId).toBe('0020000000000001');
    expect(extract(`${TRACE_ID}/12345678901234567890`)?.spanId).toBe('ab54a98ceb1f0ad2');
  });

  it('carries the trace but no decision without ;o= or with an empty one (Google load balancers)', () => {
    for (const value of [`${TRACE_ID}/1`, `${TRACE_ID}/1;o=`]) {
      const context = extract(value);
      expect(context).toEqual({ traceId: TRACE_ID, spanId: '0000000000000001', isRemote: true });
      expect(context?.sampled).toBeUndefined();
    }
  });

  it('lowercases an uppercase trace id', () => {
    expect(extract(`${TRACE_ID.toUpperCase()}/1;o=1`)?.traceId).toBe(TRACE_ID);
  });

  it.each([
    ['span id 0', `${TRACE_ID}/0;o=1`],
    ['span id 2^64', `${TRACE_ID}/18446744073709551616;o=1`],
    ['span id far beyond 2^64', `${TRACE_ID}/${'9'.repeat(30)};o=1`],
    ['zero trace id', `${'0'.repeat(32)}/1;o=1`],
    ['short trace id', `${TRACE_ID.slice(1)}/1;o=1`],
    ['hex span id', `${TRACE_ID}/ff;o=1`],
    ['negative span id', `${TRACE_ID}/-1;o=1`],
    ['no span id', `${TRACE_ID}/;o=1`],
    ['no slash', `${TRACE_ID};o=1`],
    ['bad options', `${TRACE_ID}/1;o=x`],
    ['trailing garbage', `${TRACE_ID}/1;o=1;x=2`],
    ['two headers', [`${TRACE_ID}/1;o=1`, `${TRACE_ID}/2;o=1`]],
  ])('rejects %s', (_name, value) => {
    expect(extract(value)).toBeUndefined();
  });

  it('injects TRACE_ID/DECIMAL_SPAN_ID;o=1 and round-trips big span ids', () => {
    const tracer = createTracer({ propagators: ['cloud-trace'] });
    const headers: Record<string, string> = {};
    tracer.inject({ traceId: TRACE_ID, spanId: 'ffffffffffffffff', sampled: true }, headers);
    expect(headers).toEqual({ 'x-cloud-trace-context': `${TRACE_ID}/18446744073709551615;o=1` });
    tracer.inject({ traceId: TRACE_ID, spanId: '0000000000000010', sampled: false }, headers);
    expect(headers['x-cloud-trace-context']).toBe(`${TRACE_ID}/16;o=0`);
    tracer.inject({ traceId: TRACE_ID, spanId: '0000000000000010' }, headers);
    expect(headers['x-cloud-trace-context']).toBe(`${TRACE_ID}/16`);
  });
});

describe('span id conversion (injected decimal form)', () => {
  it.each([
    ['0000000000000001', '1'],
    ['0000000000002710', '10000'],
    ['000000000000270f', '9999'],
    ['00000000000f4240', '1000000'],
    ['0000000100000000', '4294967296'],
    ['00f067aa0ba902b7', '67667974448284343'],
    ['ffffffffffffffff', '18446744073709551615'],
    ['FFFFFFFFFFFFFFFF', '18446744073709551615'],
  ])('%s is %s', (hex, decimal) => {
    expect(hexSpanIdToDecimal(hex)).toBe(decimal);
  });

  it('agrees with BigInt on any 64-bit id, and round-trips through extraction', () => {
    const hexIds = fc.array(fc.constantFrom(...'0123456789abcdef'), { minLength: 16, maxLength: 16 }).map((digits) => digits.join(''));
    fc.assert(
      fc.property(hexIds, (hex) => {
        const decimal = hexSpanIdToDecimal(hex);
        expect(decimal).toBe(BigInt(`0x${hex}`).toString(10));
        if (hex !== '0000000000000000') expect(decimalToHexSpanId(decimal)).toBe(hex);
      }),
      { numRuns: 2000 },
    );
  });
});
