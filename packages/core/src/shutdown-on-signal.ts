import type { Tracer } from './tracer';

/** Options of {@link shutdownOnSignal}. */
export interface ShutdownOnSignalOptions {
  /** Signals to handle. Default `['SIGTERM', 'SIGINT']`. */
  signals?: ReadonlyArray<NodeJS.Signals>;
  /** Longest time spent flushing before the process goes on exiting. Default 5000 ms. */
  timeoutMillis?: number;
}

/**
 * Flushes the tracer when the process is told to stop (a deploy, `docker stop`, Ctrl-C), so
 * the last requests' spans are not lost. After the flush (or the deadline) the signal takes
 * its usual course: if nothing else listens for it, it is raised again and the process exits
 * as it would have; if the app has its own handler, that handler decides. Returns a function
 * that removes the handlers.
 *
 * @example
 * const tracer = getTracer();
 * shutdownOnSignal(tracer, { timeoutMillis: 3000 });
 */
export function shutdownOnSignal(tracer: Tracer, options: ShutdownOnSignalOptions = {}): () => void {
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  const timeoutMillis = options.timeoutMillis ?? 5000;
  const handlers = new Map<NodeJS.Signals, () => void>();
  const remove = (): void => {
    for (const [signal, handler] of handlers) process.removeListener(signal, handler);
    handlers.clear();
  };
  for (const signal of signals) {
    const handler = (): void => {
      remove();
      void tracer
        .shutdown({ timeoutMillis })
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
