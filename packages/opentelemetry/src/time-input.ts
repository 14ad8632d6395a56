import type { HrTime, TimeInput } from '@opentelemetry/api';
import { performance } from 'node:perf_hooks';

/** Epoch milliseconds of an OpenTelemetry `[seconds, nanoseconds]` time, rounded to the microsecond. */
export function hrTimeToMillis(time: HrTime): number {
  return Math.round((time[0] * 1e3 + time[1] / 1e6) * 1000) / 1000;
}

function isHrTime(time: unknown): time is HrTime {
  return Array.isArray(time) && time.length === 2 && typeof time[0] === 'number' && typeof time[1] === 'number';
}

/** True when a value is one of OpenTelemetry's time inputs (`addEvent`'s second argument may be either). */
export function isTimeInput(value: unknown): value is TimeInput {
  return typeof value === 'number' || value instanceof Date || isHrTime(value);
}

/**
 * Epoch milliseconds of an OpenTelemetry `TimeInput`, read as its SDK reads it: an `HrTime`, a
 * `Date`, or a number of milliseconds that is `performance.now()`-relative when it is smaller
 * than `performance.timeOrigin` and an epoch time otherwise. `undefined` for anything else.
 */
export function timeInputToMillis(time: TimeInput | undefined): number | undefined {
  if (time === undefined) return undefined;
  if (typeof time === 'number') {
    if (!Number.isFinite(time)) return undefined;
    return time < performance.timeOrigin ? Math.round((performance.timeOrigin + time) * 1000) / 1000 : time;
  }
  if (time instanceof Date) return time.getTime();
  return isHrTime(time) ? hrTimeToMillis(time) : undefined;
}
