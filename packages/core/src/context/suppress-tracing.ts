import { NonRecordingSpan } from '../non-recording-span';
import type { Span } from '../span';
import type { ContextManager } from './context-manager';
import { defaultContextManager } from './async-local-storage-context-manager';

/**
 * The active "span" while tracing is suppressed: empty ids, so nothing is injected, and its
 * children are itself, so nothing under it records.
 */
export const SUPPRESSED: Span = new NonRecordingSpan(Object.freeze({ traceId: '', spanId: '' }), undefined);

// Every context manager a tracer uses, so suppression holds whichever tracer instruments the
// exporter's requests. Tracers are few and long-lived; the set stays tiny.
const managers = new Set<ContextManager>([defaultContextManager]);

/** @internal Called by `createTracer` for a custom context manager. */
export function registerContextManager(manager: ContextManager): void {
  managers.add(manager);
}

/**
 * Runs `fn` with tracing suppressed: spans started inside (and in its async continuations) do
 * not record and inject no headers. Span processors run exports this way so that an exporter
 * whose HTTP client is itself traced does not trace its own uploads.
 *
 * @example
 * await suppressTracing(() => axios.post(collectorUrl, body));
 */
export function suppressTracing<R>(fn: () => R): R {
  let run = fn;
  for (const manager of managers) {
    const inner = run;
    run = () => manager.with(SUPPRESSED, inner);
  }
  return run();
}

/** True when the given active span is the suppression marker. */
export function isSuppressed(active: Span | undefined): boolean {
  return active === SUPPRESSED;
}
