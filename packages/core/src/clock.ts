/** A timer handle as returned by a {@link Clock}. */
export type TimerHandle = unknown;

/**
 * Time and timers, injectable so tests of retries, batching and rate limits run on simulated
 * time instead of sleeping.
 */
export interface Clock {
  /** Milliseconds, monotonic enough for intervals. */
  now(): number;
  /** Calls `fn` after `ms`. `keepAlive: false` lets the process exit while it waits (unref). */
  setTimeout(fn: () => void, ms: number, keepAlive: boolean): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** The real clock: `performance.now()` and Node timers. */
export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout(fn, ms, keepAlive) {
    const timer = setTimeout(fn, ms);
    if (!keepAlive) timer.unref();
    return timer;
  },
  clearTimeout(handle) {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};
