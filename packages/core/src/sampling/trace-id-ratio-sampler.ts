import { invalidOption } from '../errors';
import type { Sampler, SamplingParameters, SamplingResult } from './sampler';

const SAMPLED: SamplingResult = Object.freeze({ sampled: true });
const NOT_SAMPLED: SamplingResult = Object.freeze({ sampled: false });
const LOW_BITS = 2 ** 28;

/**
 * Samples a fixed fraction of traces, decided from the trace id alone so every service that
 * sees the trace makes the same decision without talking to the others.
 *
 * The randomness is the trace id's right-most 7 bytes (56 bits), the part W3C Trace Context
 * Level 2 guarantees random; a trace is kept when that number is at least
 * `(1 - ratio) * 2^56` (the threshold rule of OpenTelemetry's consistent probability sampling).
 * The 56 bits are compared as two 28-bit halves: exact, and no BigInt per span.
 *
 * @param ratio - fraction of traces to keep, from 0 to 1
 * @example
 * createTracer({ sampler: parentBasedSampler(traceIdRatioSampler(0.1)) });
 */
export function traceIdRatioSampler(ratio: number): Sampler {
  if (typeof ratio !== 'number' || !(ratio >= 0 && ratio <= 1)) throw invalidOption('traceIdRatioSampler(ratio)', 'a number from 0 to 1', ratio);
  // Threshold (1 - ratio) * 2^56, split into high and low 28-bit halves.
  const threshold = BigInt(Math.round((1 - ratio) * 2 ** 53)) << 3n;
  const high = Number(threshold >> 28n);
  const low = Number(threshold & BigInt(LOW_BITS - 1));
  return {
    shouldSample({ traceId }: SamplingParameters): SamplingResult {
      if (ratio === 1) return SAMPLED;
      if (ratio === 0) return NOT_SAMPLED;
      const randomHigh = parseInt(traceId.slice(18, 25), 16);
      const randomLow = parseInt(traceId.slice(25, 32), 16);
      return randomHigh > high || (randomHigh === high && randomLow >= low) ? SAMPLED : NOT_SAMPLED;
    },
    toString: () => `TraceIdRatio{${ratio}}`,
  };
}
