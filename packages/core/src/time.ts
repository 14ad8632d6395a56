import { performance } from 'node:perf_hooks';

// Epoch time with sub-millisecond precision: the monotonic clock, anchored to the wall clock.
// The anchor is refreshed once a minute so a long-lived process follows NTP corrections; spans
// measure durations on the monotonic clock alone (see RecordingSpan), so re-anchoring never
// makes a span negative.
const REANCHOR_AFTER_MS = 60_000;
let anchor = Date.now() - performance.now();
let anchoredAt = performance.now();

/** Monotonic milliseconds, for durations. */
export function monotonicNow(): number {
  return performance.now();
}

/** Converts a monotonic reading to epoch milliseconds, rounded to the microsecond. */
export function toEpochMillis(monotonic: number): number {
  if (monotonic - anchoredAt > REANCHOR_AFTER_MS) {
    const now = performance.now();
    anchor = Date.now() - now;
    anchoredAt = now;
  }
  return Math.round((anchor + monotonic) * 1000) / 1000;
}

/** A time given by a user: epoch milliseconds or a Date. */
export type TimeInput = number | Date;

/** Epoch milliseconds of a user-supplied time, or `undefined` when it is not a finite time. */
export function fromTimeInput(time: TimeInput | undefined): number | undefined {
  const ms = time instanceof Date ? time.getTime() : time;
  return typeof ms === 'number' && Number.isFinite(ms) ? ms : undefined;
}
