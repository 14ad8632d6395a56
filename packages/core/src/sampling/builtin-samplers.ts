import { invalidOption } from '../errors';
import { rateLimitedSampler } from './rate-limited-sampler';
import type { Sampler, SamplingParameters, SamplingResult } from './sampler';
import { traceIdRatioSampler } from './trace-id-ratio-sampler';

const SAMPLED: SamplingResult = Object.freeze({ sampled: true });
const NOT_SAMPLED: SamplingResult = Object.freeze({ sampled: false });

/** Records every span. */
export const alwaysOnSampler: Sampler = {
  shouldSample: () => SAMPLED,
  toString: () => 'AlwaysOn',
};

/** Records nothing; context still propagates (unsampled). */
export const alwaysOffSampler: Sampler = {
  shouldSample: () => NOT_SAMPLED,
  toString: () => 'AlwaysOff',
};

/**
 * Follows the parent's decision when there is one (a B3 debug flag counts as sampled) and asks
 * `root` otherwise: for new traces and for callers that sent no decision.
 *
 * @example
 * createTracer({ sampler: parentBasedSampler(alwaysOffSampler) }); // record only what callers sample
 */
export function parentBasedSampler(root: Sampler): Sampler {
  return {
    shouldSample(parameters: SamplingParameters): SamplingResult {
      const parent = parameters.parent;
      if (parent !== undefined) {
        if (parent.debug === true) return SAMPLED;
        if (parent.sampled !== undefined) return parent.sampled ? SAMPLED : NOT_SAMPLED;
      }
      return root.shouldSample(parameters);
    },
    toString: () => `ParentBased{root=${root.toString()}}`,
  };
}

/**
 * Root traces per second of the default sampler. Ten a second shows every request of a quiet
 * service and keeps a busy one's cost and backend bill flat (about 36,000 traces an hour per
 * process) however much traffic it takes; callers' decisions are followed on top of it.
 */
export const DEFAULT_ROOT_TRACES_PER_SECOND = 10;

/** Names accepted by the `sampler` option and `OTEL_TRACES_SAMPLER`, as in OpenTelemetry. */
export type SamplerName =
  | 'always_on'
  | 'always_off'
  | 'traceidratio'
  | 'ratelimited'
  | 'parentbased_always_on'
  | 'parentbased_always_off'
  | 'parentbased_traceidratio'
  | 'parentbased_ratelimited';

/** The argument each name takes (`OTEL_TRACES_SAMPLER_ARG`), with its default. */
const ROOTS: Readonly<Record<string, { make: (arg: number) => Sampler; defaultArg: number; accepted: string }>> = {
  always_on: { make: () => alwaysOnSampler, defaultArg: 0, accepted: '' },
  always_off: { make: () => alwaysOffSampler, defaultArg: 0, accepted: '' },
  traceidratio: { make: traceIdRatioSampler, defaultArg: 1, accepted: 'a ratio from 0 to 1' },
  ratelimited: { make: (n) => rateLimitedSampler(n), defaultArg: DEFAULT_ROOT_TRACES_PER_SECOND, accepted: 'traces per second, >= 0' },
};

/** The accepted sampler names. */
export const SAMPLER_NAMES: ReadonlyArray<SamplerName> = [
  ...Object.keys(ROOTS),
  ...Object.keys(ROOTS).map((root) => `parentbased_${root}`),
] as SamplerName[];

/** True when `name` is a built-in sampler name. */
export function isSamplerName(name: string): name is SamplerName {
  return (SAMPLER_NAMES as readonly string[]).includes(name);
}

function rootOf(name: SamplerName): string {
  return name.startsWith('parentbased_') ? name.slice('parentbased_'.length) : name;
}

/** True when the named sampler takes an argument (`traceidratio`, `ratelimited` and their parent-based forms). */
export function samplerTakesArgument(name: SamplerName): boolean {
  return ROOTS[rootOf(name)]!.accepted !== '';
}

/** What the named sampler's argument accepts, for messages. */
export function samplerArgumentDescription(name: SamplerName): string {
  return ROOTS[rootOf(name)]!.accepted;
}

/** Builds a named sampler; `arg` defaults as in OpenTelemetry (ratio 1) or to 10 traces/s. Throws on a bad arg. */
export function samplerFromName(name: SamplerName, arg?: number): Sampler {
  const root = ROOTS[rootOf(name)]!;
  const sampler = root.make(arg ?? root.defaultArg);
  return name.startsWith('parentbased_') ? parentBasedSampler(sampler) : sampler;
}

/** The `sampler` option: a built-in name (with its default argument) or a sampler object. */
export type SamplerOption = SamplerName | Sampler;

/** Resolves the option; the default is `parentbased_ratelimited` at 10 root traces per second. */
export function resolveSampler(option: SamplerOption | undefined): Sampler {
  if (option === undefined) return samplerFromName('parentbased_ratelimited');
  if (typeof option === 'string' && isSamplerName(option)) return samplerFromName(option);
  if (option !== null && typeof option === 'object' && typeof option.shouldSample === 'function') return option;
  throw invalidOption('sampler', `one of ${SAMPLER_NAMES.join(', ')} or an object with shouldSample()`, option);
}
