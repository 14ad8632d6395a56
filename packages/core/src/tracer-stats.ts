/** Counters of a tracer since it was created (`tracer.stats()`). */
export interface TracerStats {
  /** Spans started, sampled or not. */
  spansStarted: number;
  /** Spans that record (the sampler said yes). */
  spansSampled: number;
  /** Recording spans ended. */
  spansEnded: number;
  /** Spans the backend accepted. */
  spansExported: number;
  /** Spans lost, by cause. */
  spansDropped: {
    /** The export queue was full. */
    queueFull: number;
    /** Export attempts were exhausted, failed permanently, or timed out. */
    exportFailed: number;
    /** Ended after shutdown began, or still queued or being exported at the shutdown deadline. */
    shutdown: number;
  };
  /** Data dropped from spans by the span limits. */
  limits: {
    droppedAttributes: number;
    droppedEvents: number;
    droppedLinks: number;
  };
  /** Spans a caller marked sampled that were not recorded because of `upstreamSampledPerSecond`. */
  upstreamSampledCapped: number;
  /** Calls to exporters, retries included. */
  exportAttempts: number;
  /** Exporter calls that did not succeed. */
  exportFailures: number;
  /** Spans waiting to be exported right now. */
  queued: number;
}
