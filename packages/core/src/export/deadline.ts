import type { RateLimitedWarnings } from '../diagnostics';
import type { SpanExporter } from './span-exporter';

/** The longest delay a Node timer takes (a larger one, Infinity included, fires after 1 ms). */
export const MAX_TIMER_MILLIS = 2 ** 31 - 1;

/** A delay a timer can wait for: NaN and negatives become `fallback`, huge values the timer maximum. */
export function timerMillis(ms: number, fallback = 0): number {
  return ms >= 0 ? Math.min(ms, MAX_TIMER_MILLIS) : fallback;
}

/**
 * Shuts `exporter` down, waiting no longer than until `late` resolves (what is left of a
 * shutdown deadline): an exporter whose shutdown hangs must not hang the processor's. A failure
 * or a late finish is warned about, never thrown.
 */
export async function shutdownExporterBy(exporter: SpanExporter, late: Promise<unknown>, warnings: RateLimitedWarnings): Promise<void> {
  const done = Promise.resolve()
    .then(() => exporter.shutdown())
    .then(
      () => true,
      (error: unknown) => {
        warnings.warn('exporter_shutdown', `exporter shutdown failed: ${error instanceof Error ? error.message : String(error)}`);
        return true;
      },
    );
  if (!(await Promise.race([done, late.then(() => false)]))) {
    warnings.warn('exporter_shutdown', 'exporter shutdown did not finish by the shutdown deadline');
  }
}
