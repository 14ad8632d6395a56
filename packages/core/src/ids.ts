import { randomFillSync } from 'node:crypto';

// One crypto call fills ids for hundreds of spans, and one hex encoding turns them all into
// text: an id is then a slice of that text, which V8 makes without copying. Encoding each id
// on its own (Buffer#toString('hex') per id) measured about 3x slower. A live id keeps its
// 16 KiB pool text alive; the ids of spans waiting for export hold a few of them at most.
const POOL_BYTES = 8192;
const pool = Buffer.allocUnsafe(POOL_BYTES);
let poolHex = '';
/** The next unused byte of `pool` (its hex is at twice that in `poolHex`). */
let next = POOL_BYTES;

const ZERO_TRACE_ID = '00000000000000000000000000000000';
const ZERO_SPAN_ID = '0000000000000000';

/**
 * `bytes` fresh random bytes as hex, never all zero. The zero check reads the bytes, not the
 * text: comparing a sliced id with a constant of its length took V8's runtime string compare,
 * twice per span.
 */
function randomHex(bytes: number): string {
  for (;;) {
    if (next + bytes > POOL_BYTES) {
      randomFillSync(pool);
      poolHex = pool.toString('hex');
      next = 0;
    }
    const start = next;
    next += bytes;
    for (let i = start; i < start + bytes; i++) if (pool[i] !== 0) return poolHex.slice(start * 2, (start + bytes) * 2);
  }
}

/** A new random trace id: 16 bytes as 32 lowercase hex characters, never all zero. */
export function randomTraceId(): string {
  return randomHex(16);
}

/** A new random span id: 8 bytes as 16 lowercase hex characters, never all zero. */
export function randomSpanId(): string {
  return randomHex(8);
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
