import { HEX16, HEX32, type StoredSpan, type StoredValue } from './stored-span';

// Checks that a line read back from the data file is a span the store can hold. The file is
// ours, but it may be cut short by a crash, written by another version or edited by hand: a
// line that is not a span is skipped, so a restart never fails on what a previous run wrote.

const KINDS = new Set(['SERVER', 'CLIENT', 'INTERNAL', 'PRODUCER', 'CONSUMER']);
const CODES = new Set(['UNSET', 'OK', 'ERROR']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Scalars, or arrays of values, at most `maxDepth` levels of arrays deep (checked without recursion). */
function isStoredValue(value: unknown, maxDepth: number): value is StoredValue {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))) continue;
    if (!Array.isArray(v) || depth >= maxDepth) return false;
    for (const item of v) stack.push([item, depth + 1]);
  }
  return true;
}

function isAttributes(value: unknown, maxDepth: number): value is Record<string, StoredValue> {
  return isRecord(value) && Object.keys(value).every((key) => isStoredValue(value[key], maxDepth));
}

function isTime(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** Whether `value` (parsed JSON) is a well-formed StoredSpan with values at most `maxDepth` deep. */
export function isStoredSpan(value: unknown, maxDepth: number): value is StoredSpan {
  if (!isRecord(value)) return false;
  const s = value;
  const status = s.status;
  return (
    typeof s.traceId === 'string' && HEX32.test(s.traceId) &&
    typeof s.spanId === 'string' && HEX16.test(s.spanId) &&
    (s.parentSpanId === null || (typeof s.parentSpanId === 'string' && HEX16.test(s.parentSpanId))) &&
    typeof s.name === 'string' && typeof s.service === 'string' &&
    typeof s.kind === 'string' && KINDS.has(s.kind) &&
    isTime(s.startTime) && isTime(s.endTime) && isTime(s.durationMs) &&
    isAttributes(s.attributes, maxDepth) &&
    Array.isArray(s.events) &&
    s.events.every((e: unknown) => isRecord(e) && typeof e.name === 'string' && isTime(e.time) && isAttributes(e.attributes, maxDepth)) &&
    isRecord(status) && typeof status.code === 'string' && CODES.has(status.code) &&
    (status.message === undefined || typeof status.message === 'string')
  );
}
