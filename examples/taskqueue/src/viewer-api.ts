// The part of the viewer's HTTP API the demo reads: GET /api/traces/:traceId. The types are the
// viewer's own (its public entry), so the demo cannot drift from what the API answers.
import type { StoredSpan, TraceDetailAnswer } from '@tracewell/viewer';

/** A span as `GET /api/traces/:traceId` returns it (times in epoch milliseconds). */
export type ViewerSpan = StoredSpan;

/** The trace's spans, or `undefined` while the viewer has none of them (404). */
export async function fetchTrace(viewerUrl: string, traceId: string): Promise<ViewerSpan[] | undefined> {
  const response = await fetch(`${viewerUrl}/api/traces/${traceId}`);
  if (response.status === 404) return undefined;
  if (!response.ok) throw new Error(`GET /api/traces/${traceId}: HTTP ${response.status}`);
  return ((await response.json()) as TraceDetailAnswer).spans;
}

export interface WaitOptions {
  /** Services that must all have sent spans. */
  services: readonly string[];
  /** How long the span count must stay the same before the trace counts as complete. Default 600 ms. */
  settleMillis?: number;
  /** Default 15000 ms. */
  timeoutMillis?: number;
  /** Default 100 ms. */
  pollMillis?: number;
}

/** Why a trace is not complete yet, or `undefined` if it has a root and every service. */
export function missingFrom(spans: readonly ViewerSpan[] | undefined, services: readonly string[]): string | undefined {
  if (spans === undefined || spans.length === 0) return 'no spans yet';
  if (!spans.some((s) => s.parentSpanId === null)) return `no root span yet (${spans.length} spans)`;
  const seen = new Set(spans.map((s) => s.service));
  const absent = services.filter((name) => !seen.has(name));
  return absent.length === 0 ? undefined : `nothing yet from ${absent.join(', ')}`;
}

/**
 * Polls the viewer until the trace has its root, spans from every service in `services`, and
 * a span count that stayed the same for `settleMillis` (services export on their own timers,
 * so spans arrive in several batches). Rejects with what is missing after `timeoutMillis`.
 */
export async function waitForTrace(viewerUrl: string, traceId: string, options: WaitOptions): Promise<ViewerSpan[]> {
  const settle = options.settleMillis ?? 600;
  const deadline = Date.now() + (options.timeoutMillis ?? 15_000);
  let count = -1;
  let since = Date.now();
  for (;;) {
    const spans = await fetchTrace(viewerUrl, traceId);
    const missing = missingFrom(spans, options.services);
    const now = Date.now();
    if (spans?.length !== count) {
      count = spans?.length ?? -1;
      since = now;
    } else if (missing === undefined && now - since >= settle) {
      return spans;
    }
    if (now > deadline) throw new Error(`trace ${traceId} is incomplete after ${options.timeoutMillis ?? 15_000} ms: ${missing ?? 'spans still arriving'}`);
    await new Promise((resolve) => setTimeout(resolve, options.pollMillis ?? 100));
  }
}
