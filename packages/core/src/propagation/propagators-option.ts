import { invalidOption } from '../errors';
import { b3MultiPropagator, b3SinglePropagator } from './b3';
import { cloudTracePropagator } from './cloud-trace';
import type { Propagator, PropagatorName } from './propagator';
import { w3cTraceContextPropagator } from './w3c-trace-context';

const BY_NAME: Readonly<Record<PropagatorName, Propagator>> = {
  tracecontext: w3cTraceContextPropagator,
  'cloud-trace': cloudTracePropagator,
  b3: b3SinglePropagator,
  b3multi: b3MultiPropagator,
};

/** The built-in format names, in default extraction order. */
export const PROPAGATOR_NAMES = Object.keys(BY_NAME) as PropagatorName[];

/** True when `name` is a built-in format. */
export function isPropagatorName(name: string): name is PropagatorName {
  return Object.prototype.hasOwnProperty.call(BY_NAME, name);
}

const BUILT_IN: ReadonlySet<Propagator> = new Set(Object.values(BY_NAME));

/** True for the built-in propagators, which read only the headers they list in `fields`. */
export function isBuiltInPropagator(propagator: Propagator): boolean {
  return BUILT_IN.has(propagator);
}

/** A list of formats: built-in names or custom propagators. */
export type PropagatorList = ReadonlyArray<PropagatorName | Propagator>;

/**
 * The `propagators` option: one list used both ways, or separate lists. The default extracts
 * every built-in format (first valid wins, in {@link PROPAGATOR_NAMES} order) and injects
 * `tracecontext` and `cloud-trace`.
 */
export type PropagatorsOption = PropagatorList | { extract?: PropagatorList; inject?: PropagatorList };

/** Formats with their order fixed. */
export interface ResolvedPropagators {
  readonly extract: ReadonlyArray<Propagator>;
  readonly inject: ReadonlyArray<Propagator>;
}

const DEFAULT_INJECT: PropagatorList = ['tracecontext', 'cloud-trace'];
const ACCEPTED = `an array of ${PROPAGATOR_NAMES.join(', ')} or propagator objects (or { extract, inject })`;

function resolveList(list: unknown, option: string): Propagator[] {
  if (!Array.isArray(list)) throw invalidOption(option, ACCEPTED, list);
  return (list as unknown[]).map((entry, i) => {
    if (typeof entry === 'string' && isPropagatorName(entry)) return BY_NAME[entry];
    const p = entry as Propagator | null;
    if (p !== null && typeof p === 'object' && typeof p.extract === 'function' && typeof p.inject === 'function' && Array.isArray(p.fields)) return p;
    throw invalidOption(`${option}[${i}]`, `one of ${PROPAGATOR_NAMES.join(', ')} or an object with name, fields, extract() and inject()`, entry);
  });
}

/** Resolves the option (throws a TypeError naming the bad entry). */
export function resolvePropagators(option: PropagatorsOption | undefined): ResolvedPropagators {
  if (option === undefined) return { extract: resolveList(PROPAGATOR_NAMES, 'propagators'), inject: resolveList(DEFAULT_INJECT, 'propagators') };
  if (Array.isArray(option)) {
    const list = resolveList(option, 'propagators');
    return { extract: list, inject: list };
  }
  if (option === null || typeof option !== 'object') throw invalidOption('propagators', ACCEPTED, option);
  const split = option as { extract?: PropagatorList; inject?: PropagatorList };
  return {
    extract: resolveList(split.extract ?? PROPAGATOR_NAMES, 'propagators.extract'),
    inject: resolveList(split.inject ?? DEFAULT_INJECT, 'propagators.inject'),
  };
}
