import { invalidOption } from './errors';

/** Per-span limits: data past a limit is dropped (or truncated) and counted. */
export interface SpanLimits {
  /** Attributes per span, and per event and link. Default 128. */
  attributeCountLimit?: number;
  /** Characters kept of each string attribute value. Default: unlimited. */
  attributeValueLengthLimit?: number;
  /** Events per span; past it the oldest are dropped. Default 128. */
  eventCountLimit?: number;
  /** Links per span. Default 128. */
  linkCountLimit?: number;
}

/** Limits with every field set. */
export type ResolvedSpanLimits = Readonly<Required<SpanLimits>>;

/** The defaults, as in the OpenTelemetry specification. */
export const DEFAULT_SPAN_LIMITS: ResolvedSpanLimits = Object.freeze({
  attributeCountLimit: 128,
  attributeValueLengthLimit: Infinity,
  eventCountLimit: 128,
  linkCountLimit: 128,
});

const ACCEPTED = 'a non-negative integer (or Infinity)';

/** Applies defaults and validates; throws a TypeError naming the bad field. */
export function resolveSpanLimits(limits: SpanLimits | undefined): ResolvedSpanLimits {
  if (limits === undefined) return DEFAULT_SPAN_LIMITS;
  if (limits === null || typeof limits !== 'object') throw invalidOption('limits', 'an object', limits);
  const resolved = { ...DEFAULT_SPAN_LIMITS };
  for (const key of Object.keys(DEFAULT_SPAN_LIMITS) as Array<keyof SpanLimits>) {
    const value = limits[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || value < 0 || !(Number.isInteger(value) || value === Infinity)) {
      throw invalidOption(`limits.${key}`, ACCEPTED, value);
    }
    resolved[key] = value;
  }
  for (const key of Object.keys(limits)) {
    if (!(key in DEFAULT_SPAN_LIMITS)) {
      throw invalidOption(`limits.${key}`, `one of ${Object.keys(DEFAULT_SPAN_LIMITS).join(', ')}`, key);
    }
  }
  return Object.freeze(resolved);
}
