/** Counters of one span processor: what it exported and what it dropped, by cause. */
export interface ExportStats {
  /** Spans the backend accepted. */
  exported: number;
  /** Spans dropped, by cause. */
  dropped: {
    /** The queue was full (the backend is slower than the app, or down). */
    queueFull: number;
    /** Every attempt failed, the failure was permanent, or the export timed out. */
    exportFailed: number;
    /** Ended after shutdown began, or still queued or being exported when the shutdown deadline passed. */
    shutdown: number;
  };
  /** Calls to the exporter, retries included. */
  exportAttempts: number;
  /** Calls that did not succeed. */
  exportFailures: number;
  /** Spans waiting in the queue right now. */
  queued: number;
}

/** Zeroed counters. */
export function emptyExportStats(): ExportStats {
  return { exported: 0, dropped: { queueFull: 0, exportFailed: 0, shutdown: 0 }, exportAttempts: 0, exportFailures: 0, queued: 0 };
}

/** Adds `from` into `into`. */
export function addExportStats(into: ExportStats, from: ExportStats): void {
  into.exported += from.exported;
  into.dropped.queueFull += from.dropped.queueFull;
  into.dropped.exportFailed += from.dropped.exportFailed;
  into.dropped.shutdown += from.dropped.shutdown;
  into.exportAttempts += from.exportAttempts;
  into.exportFailures += from.exportFailures;
  into.queued += from.queued;
}
