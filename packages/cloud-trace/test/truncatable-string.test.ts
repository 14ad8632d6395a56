import fc from 'fast-check';
import { truncate, truncateText, type TruncatableString } from '../src/truncatable-string';

const bytes = (text: string): number => Buffer.byteLength(text, 'utf8');
const a = (n: number): string => 'a'.repeat(n);

// Each row: the input, the byte limit, and the exact TruncatableString expected (toEqual, so
// `truncatedByteCount` must be absent when nothing was cut).
interface Row {
  readonly rule: string;
  readonly text: string;
  readonly max: number;
  readonly expected: TruncatableString;
}

const rows: Row[] = [
  // exact boundaries in ASCII
  { rule: '255 bytes under a 256 limit are kept whole', text: a(255), max: 256, expected: { value: a(255) } },
  { rule: '256 bytes under a 256 limit are kept whole', text: a(256), max: 256, expected: { value: a(256) } },
  { rule: '257 bytes under a 256 limit lose one byte', text: a(257), max: 256, expected: { value: a(256), truncatedByteCount: 1 } },
  { rule: 'far over the limit: the count is every byte removed', text: a(1000), max: 256, expected: { value: a(256), truncatedByteCount: 744 } },
  // empty input and a zero limit
  { rule: 'the empty string is kept', text: '', max: 256, expected: { value: '' } },
  { rule: 'the empty string fits a zero limit', text: '', max: 0, expected: { value: '' } },
  { rule: 'a zero limit drops everything', text: 'abc', max: 0, expected: { value: '', truncatedByteCount: 3 } },
  // 'é' is 2 bytes
  { rule: '2-byte character ending exactly at the limit is kept', text: a(254) + 'é', max: 256, expected: { value: a(254) + 'é' } },
  { rule: '2-byte character straddling the limit is dropped whole', text: a(255) + 'é', max: 256, expected: { value: a(255), truncatedByteCount: 2 } },
  { rule: 'only 2-byte characters, odd limit', text: 'é'.repeat(10), max: 5, expected: { value: 'éé', truncatedByteCount: 16 } },
  // '€' is 3 bytes
  { rule: '3-byte character ending exactly at the limit is kept', text: a(253) + '€', max: 256, expected: { value: a(253) + '€' } },
  { rule: '3-byte character straddling by 1 byte is dropped whole', text: a(254) + '€', max: 256, expected: { value: a(254), truncatedByteCount: 3 } },
  { rule: '3-byte character straddling by 2 bytes is dropped whole', text: a(255) + '€', max: 256, expected: { value: a(255), truncatedByteCount: 3 } },
  // '😀' is 4 bytes and 2 UTF-16 units (a surrogate pair)
  { rule: '4-byte character ending exactly at the limit is kept', text: a(252) + '😀', max: 256, expected: { value: a(252) + '😀' } },
  { rule: '4-byte character straddling by 1 byte is dropped whole', text: a(253) + '😀', max: 256, expected: { value: a(253), truncatedByteCount: 4 } },
  { rule: '4-byte character straddling by 2 bytes is dropped whole', text: a(254) + '😀', max: 256, expected: { value: a(254), truncatedByteCount: 4 } },
  { rule: '4-byte character straddling by 3 bytes is dropped whole', text: a(255) + '😀', max: 256, expected: { value: a(255), truncatedByteCount: 4 } },
  { rule: 'only surrogate pairs: 64 fit in 256 bytes', text: '😀'.repeat(100), max: 256, expected: { value: '😀'.repeat(64), truncatedByteCount: 144 } },
  { rule: 'only surrogate pairs: a limit of 3 keeps none', text: '😀😀', max: 3, expected: { value: '', truncatedByteCount: 8 } },
  // the cut is a prefix: a smaller character after the one that did not fit is not pulled in
  { rule: 'the result is a prefix even when a later character would fit', text: a(255) + '€bcd', max: 256, expected: { value: a(255), truncatedByteCount: 6 } },
  { rule: 'mixed widths', text: 'aé€😀aé€😀', max: 12, expected: { value: 'aé€😀a', truncatedByteCount: 9 } },
];

describe('truncate', () => {
  it.each(rows)('$rule', ({ text, max, expected }) => {
    expect(truncate(text, max)).toEqual(expected);
  });

  it('never leaves half of a surrogate pair', () => {
    const out = truncate(a(255) + '😀', 256);
    const last = out.value.charCodeAt(out.value.length - 1);
    expect(last >= 0xd800 && last <= 0xdbff).toBe(false);
    expect(out.value).toBe(a(255));
  });

  it('counts a lone surrogate as the 3 bytes UTF-8 encoding gives it (U+FFFD)', () => {
    expect(bytes('\ud83d')).toBe(3);
    expect(truncate(a(254) + '\ud83d', 256)).toEqual({ value: a(254), truncatedByteCount: 3 });
    expect(truncate(a(253) + '\ud83d', 256)).toEqual({ value: a(253) + '\ud83d' });
  });

  it('truncateText returns only the kept text', () => {
    expect(truncateText(a(129), 128)).toBe(a(128));
    expect(truncateText(a(127) + '€', 128)).toBe(a(127));
    expect(truncateText('short', 128)).toBe('short');
  });
});

describe('truncate properties (full Unicode)', () => {
  // What every result must satisfy: within the limit, no byte lost or invented, a prefix of
  // the input, cut on a code point boundary, and as long as possible (the next code point
  // would not have fitted).
  const check = (text: string, max: number): void => {
    const out = truncate(text, max);
    const kept = bytes(out.value);
    expect(kept).toBeLessThanOrEqual(max);
    expect(kept + (out.truncatedByteCount ?? 0)).toBe(bytes(text));
    expect(text.startsWith(out.value)).toBe(true);
    if (bytes(text) <= max) {
      expect(out).toEqual({ value: text });
    } else {
      expect(out.truncatedByteCount).toBeGreaterThan(0);
      const next = String.fromCodePoint(text.codePointAt(out.value.length)!);
      // the cut is between code points: the next code point starts exactly where the value ends
      expect(text.slice(out.value.length, out.value.length + next.length)).toBe(next);
      expect(kept + bytes(next)).toBeGreaterThan(max);
    }
  };

  it('holds for any string and any limit', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 120 }), fc.integer({ min: 0, max: 300 }), (text, max) => {
        check(text, max);
      }),
      { numRuns: 500 },
    );
  });

  it('holds at the 256-byte attribute limit for strings around it', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 40, maxLength: 200 }), (text) => {
        check(text, 256);
      }),
      { numRuns: 500 },
    );
  });
});
