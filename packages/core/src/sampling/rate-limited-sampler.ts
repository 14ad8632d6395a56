import { systemClock, type Clock } from '../clock';
import { invalidOption } from '../errors';
import type { Sampler, SamplingResult } from './sampler';

const SAMPLED: SamplingResult = Object.freeze({ sampled: true });
const NOT_SAMPLED: SamplingResult = Object.freeze({ sampled: false });

/**
 * Samples at most `perSecond` traces per second: a token bucket holding up to one second's
 * worth, refilled from the clock on each decision (no timers). A quiet service records every
 * request; a busy one records a steady trickle, whatever its traffic.
 *
 * @param perSecond - traces admitted per second (may be fractional, e.g. 0.5 for one every 2 s)
 * @param clock - time source; tests inject a simulated one
 * @example
 * createTracer({ sampler: parentBasedSampler(rateLimitedSampler(5)) });
 */
export function rateLimitedSampler(perSecond: number, clock: Pick<Clock, 'now'> = systemClock): Sampler {
  if (typeof perSecond !== 'number' || !(perSecond >= 0) || !Number.isFinite(perSecond)) {
    throw invalidOption('rateLimitedSampler(perSecond)', 'a finite number >= 0', perSecond);
  }
  const capacity = Math.max(1, perSecond);
  const perMilli = perSecond / 1000;
  let tokens = capacity;
  let last = clock.now();
  return {
    shouldSample(): SamplingResult {
      if (perSecond === 0) return NOT_SAMPLED;
      const now = clock.now();
      tokens = Math.min(capacity, tokens + (now - last) * perMilli);
      last = now;
      if (tokens < 1) return NOT_SAMPLED;
      tokens -= 1;
      return SAMPLED;
    },
    toString: () => `RateLimited{${perSecond}/s}`,
  };
}
