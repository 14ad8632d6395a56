import { randomFillSync } from 'node:crypto';

// One crypto call fills ids for hundreds of spans, and one hex encoding turns them all into
// text: an id is then a slice of that text, which V8 makes without copying. Encoding each id
// on its own (Buffer#toString('hex') per id) measured about 3x slower. A live id keeps its
// 16 KiB pool text alive; the ids of spans waiting for export hold a few of them at most.
const POOL_BYTES = 8192;
const pool = Buffer.allocUnsafe(POOL_BYTES);
let poolHex = '';
let offset = Infinity;

const ZERO_TRACE_ID = '00000000000000000000000000000000';
const ZERO_SPAN_ID = '0000000000000000';

function randomHex(bytes: number): string {
  const chars = bytes * 2;
  if (offset + chars > poolHex.length) {
    randomFillSync(pool);
    poolHex = pool.toString('hex');
    offset = 0;
  }
  const hex = poolHex.slice(offset, offset + chars);
  offset += chars;
  return hex;
}

/** A new random trace id: 16 bytes as 32 lowercase hex characters, never all zero. */
export function randomTraceId(): string {
  let id = randomHex(16);
  while (id === ZERO_TRACE_ID) id = randomHex(16);
  return id;
}

/** A new random span id: 8 bytes as 16 lowercase hex characters, never all zero. */
export function randomSpanId(): string {
  let id = randomHex(8);
  while (id === ZERO_SPAN_ID) id = randomHex(8);
  return id;
}

const TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;

/** True for 32 lowercase hex characters that are not all zero (W3C trace-id). */
export function isValidTraceId(id: unknown): id is string {
  return typeof id === 'string' && TRACE_ID.test(id) && id !== ZERO_TRACE_ID;
}

/** True for 16 lowercase hex characters that are not all zero (W3C parent-id). */
export function isValidSpanId(id: unknown): id is string {
  return typeof id === 'string' && SPAN_ID.test(id) && id !== ZERO_SPAN_ID;
}
