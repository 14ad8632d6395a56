import { invalidOption } from './errors';
import type { Tracer } from './tracer';

/** Options of {@link shutdownOnSignal}. */
export interface ShutdownOnSignalOptions {
  /** Signals to handle. Default `['SIGTERM', 'SIGINT']`. */
  signals?: ReadonlyArray<NodeJS.Signals>;
  /** Longest time from the signal to the end of the flush. Default 5000 ms. */
  timeoutMillis?: number;
}

// While spans are still open, the first half of the deadline drains: spans keep being accepted
// and exported, so requests in flight at the signal get their spans delivered. The second half
// belongs to the final flush, which then refuses later spans.
const DRAIN_SHARE = 0.5;
const DRAIN_POLL_MILLIS = 20;
// Past the deadline, how long a processor gets to finish its own deadline bookkeeping.
const SHUTDOWN_GRACE_MILLIS = 250;

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

/** Resolves `true` when `promise` settles within `ms`, `false` otherwise. */
function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), Math.max(0, ms))));
  return Promise.race([promise.then(() => true, () => true), timeout]).finally(() => clearTimeout(timer));
}

function openSpans(tracer: Tracer): number {
  const stats = tracer.stats();
  return stats.spansSampled - stats.spansEnded;
}

/**
 * Keeps exporting while recording spans are open (requests still running), for at most
 * `DRAIN_SHARE` of the deadline, then shuts the tracer down with the time left.
 */
async function drainThenShutdown(tracer: Tracer, timeoutMillis: number): Promise<void> {
  const started = Date.now();
  const drainUntil = started + timeoutMillis * DRAIN_SHARE;
  while (openSpans(tracer) > 0 && Date.now() < drainUntil) {
    if (!(await within(tracer.flush(), drainUntil - Date.now()))) break;
    await delay(Math.min(DRAIN_POLL_MILLIS, drainUntil - Date.now()));
  }
  const left = Math.max(0, started + timeoutMillis - Date.now());
  // The built-in processors resolve by the deadline; this bounds a custom one that does not, so
  // the signal still takes its course (the timer also keeps the process alive until then).
  await within(tracer.shutdown({ timeoutMillis: left }), left + SHUTDOWN_GRACE_MILLIS);
}

/**
 * Flushes the tracer when the process is told to stop (a deploy, `docker stop`, Ctrl-C), so
 * the last requests' spans are not lost. While requests are still running, it first keeps
 * exporting for up to half of `timeoutMillis`, so their spans are delivered too; then it shuts
 * the tracer down with the rest of the time (spans ending after that are dropped and counted).
 * After the flush (or the deadline: the built-in span processors resolve by it, and a custom
 * one that hangs is waited for 250 ms more at most) the signal takes its usual course: if
 * nothing else listens for it, it is raised again and the process exits as it would have; if
 * the app has its own handler, that handler decides. Returns a function that removes the handlers.
 *
 * @example
 * const tracer = getTracer();
 * shutdownOnSignal(tracer, { timeoutMillis: 3000 });
 */
export function shutdownOnSignal(tracer: Tracer, options: ShutdownOnSignalOptions = {}): () => void {
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  const timeoutMillis = options.timeoutMillis ?? 5000;
  if (!Array.isArray(signals) || signals.some((signal) => typeof signal !== 'string' || !signal.startsWith('SIG'))) {
    throw invalidOption('shutdownOnSignal.signals', 'an array of signal names such as SIGTERM', signals);
  }
  if (typeof timeoutMillis !== 'number' || !Number.isFinite(timeoutMillis) || timeoutMillis < 0) {
    throw invalidOption('shutdownOnSignal.timeoutMillis', 'a non-negative number of milliseconds', timeoutMillis);
  }
  const handlers = new Map<NodeJS.Signals, () => void>();
  const remove = (): void => {
    for (const [signal, handler] of handlers) process.removeListener(signal, handler);
    handlers.clear();
  };
  for (const signal of signals) {
    const handler = (): void => {
      remove();
      void drainThenShutdown(tracer, timeoutMillis)
        .catch(() => undefined)
        .then(() => {
          if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
        });
    };
    handlers.set(signal, handler);
    process.once(signal, handler);
  }
  return remove;
}
