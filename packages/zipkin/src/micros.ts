/**
 * Epoch milliseconds (Tracewell's span times, microsecond precision) as the integer epoch
 * microseconds Zipkin expects. Rounded, not truncated: the product is not always an integer
 * (1.001 * 1000 is 1000.9999999999999), and truncating would lose a microsecond.
 */
export function toMicros(epochMillis: number): number {
  return Math.round(epochMillis * 1000);
}
