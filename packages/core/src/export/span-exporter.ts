import type { ReadableSpan } from '../span';

/**
 * How an export went: retryable failures may be tried again (after `retryAfterMillis` if given).
 * An exporter that sends a batch in several calls says in `accepted` how many spans at the start
 * of the batch the backend took before the failure: they count as exported, and only the rest
 * is retried or dropped.
 */
export type ExportResult =
  | { readonly code: 'success' }
  | { readonly code: 'retryable'; readonly retryAfterMillis?: number; readonly error?: Error; readonly accepted?: number }
  | { readonly code: 'failed'; readonly error?: Error; readonly accepted?: number };

/** Per-call options of {@link SpanExporter.export}. */
export interface ExportOptions {
  /** Aborted when the processor gives up on this attempt (export timeout): stop the request. */
  readonly signal?: AbortSignal;
}

/**
 * Sends finished spans to a backend. `export` should resolve (not reject) with a result;
 * a rejection is treated as a permanent failure. Retrying is the processor's job: an exporter
 * makes one attempt per call and says whether another could succeed.
 */
export interface SpanExporter {
  export(spans: ReadonlyArray<ReadableSpan>, options?: ExportOptions): Promise<ExportResult>;
  /** Releases resources; called once by the processor's shutdown. */
  shutdown(): Promise<void>;
}

/** A successful export result. */
export const EXPORT_SUCCESS: ExportResult = Object.freeze({ code: 'success' });
