/**
 * Epoch milliseconds (microsecond precision) as OTLP's unsigned 64-bit nanoseconds, without
 * BigInt: as a decimal string (OTLP/JSON) and as two 32-bit halves (protobuf fixed64).
 */
export interface UnixNanos {
  readonly decimal: string;
  readonly low: number;
  readonly high: number;
}

const TWO_32 = 2 ** 32;

/** Converts epoch milliseconds to nanoseconds; negative or non-finite times become 0. */
export function toUnixNanos(epochMillis: number): UnixNanos {
  const micros = Number.isFinite(epochMillis) && epochMillis > 0 ? Math.round(epochMillis * 1000) : 0;
  if (micros === 0) return { decimal: '0', low: 0, high: 0 };
  // nanos = micros * 1000 exceeds 2^53: multiply each 32-bit half and carry.
  const microsHigh = Math.floor(micros / TWO_32);
  const lowProduct = (micros % TWO_32) * 1000;
  const carry = Math.floor(lowProduct / TWO_32);
  return { decimal: `${micros}000`, low: lowProduct % TWO_32, high: microsHigh * 1000 + carry };
}
