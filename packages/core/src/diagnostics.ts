import type { Clock } from './clock';
import { systemClock } from './clock';
import { safeWarn, type Logger } from './logger';

const INTERVAL_MS = 60_000;

/**
 * Warnings with at most one message per cause per minute: a backend that is down for an hour
 * produces a handful of lines, not one per batch. Suppressed repeats are counted in the next one.
 */
export class RateLimitedWarnings {
  private readonly last = new Map<string, { at: number; suppressed: number }>();

  /**
   * @param logger - where warnings go
   * @param clock - time source (tests inject one)
   */
  constructor(
    readonly logger: Logger,
    private readonly clock: Clock = systemClock,
  ) {}

  /** Logs `message` unless `cause` was logged less than a minute ago. Never throws. */
  warn(cause: string, message: string): void {
    const now = this.clock.now();
    const entry = this.last.get(cause);
    if (entry !== undefined && now - entry.at < INTERVAL_MS) {
      entry.suppressed++;
      return;
    }
    const suffix = entry !== undefined && entry.suppressed > 0 ? ` (${entry.suppressed} similar warnings suppressed in the last minute)` : '';
    this.last.set(cause, { at: now, suppressed: 0 });
    safeWarn(this.logger, `${message}${suffix}`);
  }
}
