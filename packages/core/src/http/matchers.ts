import { invalidOption } from '../errors';

const FEW_STRINGS = 8;

/** One rule: an exact string, a RegExp, or a predicate over the thing being matched. */
export type MatchRule<T> = string | RegExp | ((value: T) => boolean);

/** One rule or several (any match wins). */
export type MatchRules<T> = MatchRule<T> | ReadonlyArray<MatchRule<T>>;

/**
 * Compiles match rules once, at construction: strings compare with `key(value)` exactly,
 * RegExps test it, functions get the whole value. Throws a TypeError naming the option for
 * anything else. A predicate that throws counts as "no match".
 */
export function compileMatcher<T>(rules: MatchRules<T> | undefined, option: string, key: (value: T) => string, accepted: string): ((value: T) => boolean) | undefined {
  if (rules === undefined) return undefined;
  const list = Array.isArray(rules) ? (rules as ReadonlyArray<MatchRule<T>>) : [rules as MatchRule<T>];
  const strings = new Set<string>();
  const regexps: RegExp[] = [];
  const predicates: Array<(value: T) => boolean> = [];
  list.forEach((rule, i) => {
    if (typeof rule === 'string') strings.add(rule);
    else if (rule instanceof RegExp) regexps.push(rule);
    else if (typeof rule === 'function') predicates.push(rule);
    else throw invalidOption(Array.isArray(rules) ? `${option}[${i}]` : option, accepted, rule);
  });
  // A few strings are compared one by one: a Set would hash every request's path first, and a
  // string of another length compares unequal at once.
  const few = strings.size <= FEW_STRINGS ? [...strings] : undefined;
  return (value: T): boolean => {
    const k = key(value);
    if (few !== undefined ? few.includes(k) : strings.has(k)) return true;
    for (const regexp of regexps) {
      regexp.lastIndex = 0;
      if (regexp.test(k)) return true;
    }
    for (const predicate of predicates) {
      try {
        if (predicate(value) === true) return true;
      } catch {
        // A broken user predicate must not break the request.
      }
    }
    return false;
  };
}
