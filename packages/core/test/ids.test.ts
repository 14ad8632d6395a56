import { isValidSpanId, isValidTraceId, randomSpanId, randomTraceId } from '../src';

describe('ids', () => {
  it('are lowercase hex of the right length, valid and distinct', () => {
    const traceIds = new Set<string>();
    const spanIds = new Set<string>();
    // More than one pool refill (8 KiB) worth of ids.
    for (let i = 0; i < 2000; i++) {
      const t = randomTraceId();
      const s = randomSpanId();
      expect(t).toMatch(/^[0-9a-f]{32}$/);
      expect(s).toMatch(/^[0-9a-f]{16}$/);
      traceIds.add(t);
      spanIds.add(s);
    }
    expect(traceIds.size).toBe(2000);
    expect(spanIds.size).toBe(2000);
  });

  it('validators reject zero, uppercase and wrong lengths', () => {
    expect(isValidTraceId('0'.repeat(32))).toBe(false);
    expect(isValidTraceId('A'.repeat(32))).toBe(false);
    expect(isValidTraceId('a'.repeat(31))).toBe(false);
    expect(isValidSpanId('0'.repeat(16))).toBe(false);
    expect(isValidSpanId('a'.repeat(17))).toBe(false);
    expect(isValidSpanId('0'.repeat(15) + '1')).toBe(true);
  });
});
