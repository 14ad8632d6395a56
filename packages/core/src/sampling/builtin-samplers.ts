import { invalidOption } from '../errors';
import type { Sampler, SamplingParameters, SamplingResult } from './sampler';

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

/** Names accepted by the `sampler` option and `OTEL_TRACES_SAMPLER`. */
export type SamplerName = 'always_on' | 'always_off' | 'parentbased_always_on' | 'parentbased_always_off';

const BY_NAME: Readonly<Record<SamplerName, () => Sampler>> = {
  always_on: () => alwaysOnSampler,
  always_off: () => alwaysOffSampler,
  parentbased_always_on: () => parentBasedSampler(alwaysOnSampler),
  parentbased_always_off: () => parentBasedSampler(alwaysOffSampler),
};

/** The accepted sampler names. */
export const SAMPLER_NAMES = Object.keys(BY_NAME) as SamplerName[];

/** True when `name` is a built-in sampler name. */
export function isSamplerName(name: string): name is SamplerName {
  return Object.prototype.hasOwnProperty.call(BY_NAME, name);
}

/** The `sampler` option: a built-in name or a custom sampler. */
export type SamplerOption = SamplerName | Sampler;

/** Resolves the option; the default is `parentbased_always_on`. Throws on an unknown name. */
export function resolveSampler(option: SamplerOption | undefined): Sampler {
  if (option === undefined) return BY_NAME.parentbased_always_on();
  if (typeof option === 'string' && isSamplerName(option)) return BY_NAME[option]();
  if (option !== null && typeof option === 'object' && typeof option.shouldSample === 'function') return option;
  throw invalidOption('sampler', `one of ${SAMPLER_NAMES.join(', ')} or an object with shouldSample()`, option);
}
