// Epoch milliseconds (microsecond precision) as OTLP's unsigned 64-bit nanoseconds, without
// BigInt: as a decimal string (OTLP/JSON) and as two 32-bit halves (protobuf fixed64).
const TWO_32 = 2 ** 32;

function micros(epochMillis: number): number {
  return Number.isFinite(epochMillis) && epochMillis > 0 ? Math.round(epochMillis * 1000) : 0;
}

/** Epoch milliseconds as decimal nanoseconds (OTLP/JSON); negative or non-finite times become "0". */
export function unixNanosDecimal(epochMillis: number): string {
  const us = micros(epochMillis);
  return us === 0 ? '0' : `${us}000`;
}

/**
 * Epoch milliseconds as nanoseconds in two 32-bit halves (protobuf fixed64), written into
 * `out` to avoid an object per timestamp.
 */
export function unixNanosHalves(epochMillis: number, out: { low: number; high: number }): void {
  const us = micros(epochMillis);
  // nanos = micros * 1000 exceeds 2^53: multiply each 32-bit half and carry.
  const lowProduct = (us % TWO_32) * 1000;
  out.low = lowProduct % TWO_32;
  out.high = Math.floor(us / TWO_32) * 1000 + Math.floor(lowProduct / TWO_32);
}
