const ID16 = /^[0-9a-f]{16}$/;
const ID32 = /^[0-9a-f]{32}$/;
const ZERO16 = '0'.repeat(16);
const ZERO32 = '0'.repeat(32);

/** A B3 trace id (16 or 32 lowercase hex, not zero) as 32 hex, 64-bit ids left-padded; else undefined. */
export function b3TraceId(value: string): string | undefined {
  if (value.length === 16) return ID16.test(value) && value !== ZERO16 ? ZERO16 + value : undefined;
  return value.length === 32 && ID32.test(value) && value !== ZERO32 ? value : undefined;
}

/** True for a B3 span id: 16 lowercase hex, not zero. */
export function isB3SpanId(value: string): boolean {
  return value.length === 16 && ID16.test(value) && value !== ZERO16;
}
