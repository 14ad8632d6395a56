/** A single attribute value: a primitive or a homogeneous array of primitives (OpenTelemetry's rule). */
export type AttributeValue =
  | string
  | number
  | boolean
  | ReadonlyArray<string>
  | ReadonlyArray<number>
  | ReadonlyArray<boolean>;

/** Attributes (labels) of a span, event, link or resource. */
export interface Attributes {
  [key: string]: AttributeValue;
}

/** Attributes as accepted by setters: `undefined` and `null` values are skipped. */
export interface AttributesInput {
  [key: string]: AttributeValue | undefined | null;
}

function isPrimitive(value: unknown): value is string | number | boolean {
  const type = typeof value;
  return type === 'string' || type === 'number' || type === 'boolean';
}

/**
 * Returns `value` as a valid attribute value, a copy for arrays (so later mutation by the
 * caller cannot change a recorded span), or `undefined` when it is not one.
 * Strings longer than `maxLength` are truncated.
 */
export function toAttributeValue(value: unknown, maxLength: number): AttributeValue | undefined {
  if (typeof value === 'string') return value.length > maxLength ? value.slice(0, maxLength) : value;
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  if (!Array.isArray(value)) return undefined;
  let type: string | undefined;
  const copy: Array<string | number | boolean> = [];
  for (const item of value as unknown[]) {
    if (!isPrimitive(item)) return undefined;
    if (type === undefined) type = typeof item;
    else if (typeof item !== type) return undefined;
    copy.push(typeof item === 'string' && item.length > maxLength ? item.slice(0, maxLength) : item);
  }
  return copy as AttributeValue;
}

// Attribute maps are made by a constructor whose prototype is an empty object with no
// prototype: nothing is inherited, `__proto__` and `constructor` are plain keys (the
// `__proto__` accessor lives on Object.prototype, which is not in the chain), and V8 keeps the
// maps in fast mode. `Object.create(null)` gave the same semantics in dictionary mode: a hash
// table per span that cost several times more to fill, copy in GC and read in exporters.
const AttributeMap = function AttributeMap(this: object) {} as unknown as new () => Attributes;
AttributeMap.prototype = Object.create(null) as Attributes;

/** A new attribute map that inherits nothing, so keys like `__proto__` are plain data. */
export function emptyAttributes(): Attributes {
  return new AttributeMap();
}

/**
 * Copies valid entries of `input` into `target` until it holds `countLimit` keys.
 * Returns how many entries were dropped because of the limit.
 */
export function addAttributes(
  target: Attributes,
  currentCount: number,
  input: AttributesInput | undefined,
  countLimit: number,
  lengthLimit: number,
): { count: number; dropped: number } {
  let count = currentCount;
  let dropped = 0;
  if (input === undefined || input === null || typeof input !== 'object') return { count, dropped };
  for (const key of Object.keys(input)) {
    const value = toAttributeValue(input[key], lengthLimit);
    if (value === undefined || key.length === 0) continue;
    const isNew = !Object.prototype.hasOwnProperty.call(target, key);
    if (isNew && count >= countLimit) {
      dropped++;
      continue;
    }
    target[key] = value;
    if (isNew) count++;
  }
  return { count, dropped };
}
