import type { ReadableSpan } from '../span';

/** How an export went: retryable failures may be tried again (after `retryAfterMillis` if given). */
export type ExportResult =
  | { readonly code: 'success' }
  | { readonly code: 'retryable'; readonly retryAfterMillis?: number; readonly error?: Error }
  | { readonly code: 'failed'; readonly error?: Error };

/**
 * Sends finished spans to a backend. `export` should resolve (not reject) with a result;
 * a rejection is treated as a permanent failure.
 */
export interface SpanExporter {
  export(spans: ReadonlyArray<ReadableSpan>): Promise<ExportResult>;
  /** Releases resources; called once by the processor's shutdown. */
  shutdown(): Promise<void>;
}

/** A successful export result. */
export const EXPORT_SUCCESS: ExportResult = Object.freeze({ code: 'success' });
