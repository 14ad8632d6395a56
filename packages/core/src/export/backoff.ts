/**
 * Delay before retry number `attempt` (1 for the first retry): exponential backoff with full
 * jitter (a uniformly random delay up to the exponential cap), so many processes retrying
 * against one recovering backend spread out instead of arriving together.
 *
 * @param attempt - 1-based retry number
 * @param initialMillis - cap of the first retry
 * @param maxMillis - largest cap
 * @param random - a number in [0, 1)
 */
export function backoffDelay(attempt: number, initialMillis: number, maxMillis: number, random: number): number {
  const cap = Math.min(maxMillis, initialMillis * 2 ** (attempt - 1));
  return Math.floor(random * cap);
}
