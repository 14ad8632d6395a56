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

  it('never hands out an all-zero id: zero bytes from the random source are skipped', () => {
    // The random source's first fill starts with 24 zero bytes (a zero trace id, then a zero span
    // id), then random bytes; a second fill is all zero, then real randomness again.
    const crypto = jest.requireActual<typeof import('node:crypto')>('node:crypto');
    let fills = 0;
    jest.isolateModules(() => {
      jest.doMock('node:crypto', () => ({
        ...crypto,
        randomFillSync: (buffer: Buffer) => {
          crypto.randomFillSync(buffer);
          if (fills === 0) buffer.fill(0, 0, 24);
          if (fills === 1) buffer.fill(0);
          fills++;
          return buffer;
        },
      }));
      const ids = jest.requireActual<typeof import('../src/ids')>('../src/ids');
      const first = ids.randomTraceId();
      expect(isValidTraceId(first)).toBe(true);
      expect(ids.randomSpanId()).toMatch(/^[0-9a-f]{16}$/);
      expect(fills).toBe(1);
      // Use up the first fill, then ids from the all-zero one would be zero: none is handed out.
      const seen: string[] = [];
      while (fills < 3) seen.push(ids.randomSpanId());
      expect(seen.every(isValidSpanId)).toBe(true);
      expect(fills).toBe(3);
    });
    jest.dontMock('node:crypto');
  });
});

