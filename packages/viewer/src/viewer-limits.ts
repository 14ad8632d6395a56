/**
 * Bounds on what the viewer stores, so that memory follows these numbers and not what senders
 * post. Sizes are approximate bytes of a span as stored (see `spanSize`): string lengths plus
 * a fixed cost per value, attribute, event and span.
 */
export interface ViewerLimits {
  /** Levels of nested `arrayValue` / `kvlistValue` kept; a deeper value is stored as a marker. Default 8. */
  maxValueDepth?: number;
  /** Characters kept of any stored string (names, keys, values; a kvlist's JSON text); the rest is cut. Default 32768. */
  maxValueLength?: number;
  /** Size of one stored span; attributes and events that do not fit are dropped. Default 1 MiB. */
  maxSpanBytes?: number;
  /** Size of every stored span together; past it the least recently updated traces are evicted. Default 128 MiB. */
  maxStoreBytes?: number;
}

/** The limits with every default applied. */
export type ResolvedViewerLimits = Readonly<Required<ViewerLimits>>;

/** The defaults of {@link ViewerLimits}. */
export const DEFAULT_VIEWER_LIMITS: ResolvedViewerLimits = Object.freeze({
  maxValueDepth: 8,
  maxValueLength: 32 * 1024,
  maxSpanBytes: 1024 * 1024,
  maxStoreBytes: 128 * 1024 * 1024,
});

/** Marks a value nested deeper than `maxValueDepth`. */
export const TOO_DEEP = '[nested too deep]';
/** Ends a string cut at `maxValueLength`. */
export const TRUNCATED = '…[truncated]';

/** Checks an integer option, throwing a TypeError that names it and the accepted values. */
export function integerOption(name: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new TypeError(`${name}: expected an integer >= ${min}, got ${JSON.stringify(value) ?? String(value)}`);
  }
  return value;
}

/** Applies the defaults and validates (throws naming the option). */
export function resolveViewerLimits(limits: ViewerLimits | undefined, path: string): ResolvedViewerLimits {
  const given = limits ?? {};
  if (given === null || typeof given !== 'object') throw new TypeError(`${path}: expected an object`);
  const read = (key: keyof ViewerLimits, min: number): number => (given[key] === undefined ? DEFAULT_VIEWER_LIMITS[key] : integerOption(`${path}.${key}`, given[key], min));
  const resolved = {
    maxValueDepth: read('maxValueDepth', 1),
    maxValueLength: read('maxValueLength', 64),
    maxSpanBytes: read('maxSpanBytes', 4096),
    maxStoreBytes: read('maxStoreBytes', 4096),
  };
  if (resolved.maxSpanBytes > resolved.maxStoreBytes) {
    throw new TypeError(`${path}.maxSpanBytes: expected at most maxStoreBytes (${resolved.maxStoreBytes}), got ${resolved.maxSpanBytes}`);
  }
  return Object.freeze(resolved);
}
