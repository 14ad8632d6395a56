import type { StoredSpan, StoredValue } from './stored-span';

// Approximate bytes a stored span costs: what its JSON would take, plus a fixed cost per
// value, entry and span for the objects that hold them. Used for the span and store bounds.
const SPAN_COST = 256;
const ENTRY_COST = 16;
const SCALAR_COST = 8;

/** Size of one value. Iterative: a value read from a file may be nested deeper than we store. */
export function valueSize(value: StoredValue): number {
  let size = 0;
  const stack: StoredValue[] = [value];
  while (stack.length > 0) {
    const v = stack.pop()!;
    if (typeof v === 'string') size += v.length + ENTRY_COST;
    else if (Array.isArray(v)) {
      size += ENTRY_COST;
      for (let i = 0; i < v.length; i++) stack.push(v[i]!);
    } else size += SCALAR_COST;
  }
  return size;
}

/** Size of an attribute map: keys and values. */
export function attributesSize(attributes: Readonly<Record<string, StoredValue>>): number {
  let size = 0;
  for (const key of Object.keys(attributes)) size += key.length + valueSize(attributes[key]!);
  return size;
}

/** Size of one event. */
export function eventSize(event: StoredSpan['events'][number]): number {
  return ENTRY_COST + SCALAR_COST + event.name.length + attributesSize(event.attributes);
}

/** Size of a span as stored. */
export function spanSize(span: StoredSpan): number {
  let size = SPAN_COST + span.name.length + span.service.length + (span.status.message?.length ?? 0) + attributesSize(span.attributes);
  for (const event of span.events) size += eventSize(event);
  return size;
}
