import { isValidSpanId, isValidTraceId } from './ids';
import type { TraceState } from './trace-state';

/**
 * The part of a span that crosses process boundaries.
 *
 * `sampled` is `undefined` only on a context extracted from a header that carried no sampling
 * decision (an `X-Cloud-Trace-Context` without `;o=`, a B3 header without a sampling state):
 * the local sampler then decides. A context with empty ids and a `sampled` value carries only a
 * decision (B3's deny-only `b3: 0`): spans started under it are new roots that keep the decision.
 */
export interface SpanContext {
  /** 32 lowercase hex characters. */
  readonly traceId: string;
  /** 16 lowercase hex characters. */
  readonly spanId: string;
  /** Whether the trace is being recorded. */
  readonly sampled?: boolean;
  /** W3C `tracestate`, passed on unchanged unless a vendor entry is set. */
  readonly traceState?: TraceState;
  /** True when the context was extracted from an incoming request. */
  readonly isRemote?: boolean;
  /** W3C Level 2 `random` flag: the trace id's right-most 7 bytes are random. Kept along a trace. */
  readonly randomTraceId?: boolean;
  /** B3 debug flag: sampled, and asks every hop to record. Kept along a trace. */
  readonly debug?: boolean;
}

/**
 * A context whose ids Tracewell generated or already validated (span starts, extraction). Its
 * class is the proof: `isSpanContextValid` skips the id checks for it, which measured as a
 * quarter of a server span's start when every parent was re-validated with regular expressions.
 * @internal
 */
export class ValidSpanContext implements SpanContext {
  /** @internal */
  constructor(
    readonly traceId: string,
    readonly spanId: string,
    readonly sampled: boolean | undefined,
    readonly traceState: TraceState | undefined,
    readonly isRemote: boolean | undefined,
    readonly randomTraceId: boolean | undefined,
    readonly debug: boolean | undefined,
  ) {}
}

/** True when the context has a valid trace id and span id (so it can be a parent). */
export function isSpanContextValid(context: SpanContext): boolean {
  return context instanceof ValidSpanContext || (isValidTraceId(context.traceId) && isValidSpanId(context.spanId));
}
