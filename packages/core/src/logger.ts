/** Where Tracewell reports problems. Never throws into the app; a failing logger is ignored. */
export interface Logger {
  /** Something went wrong that the app should know about (a dropped span, a bad setting). */
  warn(message: string): void;
  /** Detail useful only while debugging Tracewell itself. Optional. */
  debug?(message: string): void;
}

/** The default logger: `console.warn` with a `[tracewell]` prefix; debug output is off. */
export const consoleLogger: Logger = {
  warn(message: string): void {
    console.warn(`[tracewell] ${message}`);
  },
};

/** Calls `logger.warn` and swallows anything it throws. */
export function safeWarn(logger: Logger, message: string): void {
  try {
    logger.warn(message);
  } catch {
    // A broken logger must not turn a diagnostic into an app error.
  }
}
