import type { SpanContext } from '../span-context';
import { isSpanContextValid } from '../span-context';
import { b3TraceId, isB3SpanId } from './b3-ids';
import { setHeader, type Carrier, type HeaderReader } from './carrier';
import type { Propagator } from './propagator';

const B3 = 'b3';
const TRACE_ID = 'x-b3-traceid';
const SPAN_ID = 'x-b3-spanid';
const PARENT_SPAN_ID = 'x-b3-parentspanid';
const SAMPLED = 'x-b3-sampled';
const FLAGS = 'x-b3-flags';

interface Decision {
  sampled?: boolean;
  debug?: boolean;
}

const ACCEPT: Decision = { sampled: true };
const DENY: Decision = { sampled: false };
const DEBUG: Decision = { sampled: true, debug: true };

/** Single-header sampling state: `1` accept, `0` deny, `d` debug (implies accept). */
function singleState(state: string): Decision | undefined {
  return state === '1' ? ACCEPT : state === '0' ? DENY : state === 'd' ? DEBUG : undefined;
}

/** A context that carries only a decision: spans under it start a new trace and keep it. */
function decisionOnly(decision: Decision): SpanContext {
  return { traceId: '', spanId: '', isRemote: true, ...decision };
}

function withIds(traceId: string, spanId: string, decision: Decision | undefined): SpanContext {
  return { traceId, spanId, isRemote: true, ...decision };
}

/**
 * B3 single header (`b3: {TraceId}-{SpanId}-{SamplingState}-{ParentSpanId}`), OTEL_PROPAGATORS
 * name `b3`. Also reads the decision-only forms (`b3: 0` deny, `1` accept, `d` debug). When present
 * it wins over the multi-header form (the B3 spec's rule), which `b3multi` implements. For a
 * repeated header the first value wins, as the spec says.
 */
export const b3SinglePropagator: Propagator = {
  name: 'b3',
  fields: [B3],

  extract(headers: HeaderReader): SpanContext | undefined {
    const value = headers.first(B3);
    if (value === undefined || value.length > 68) return undefined;
    if (value.length === 1) {
      const decision = singleState(value);
      return decision === undefined ? undefined : decisionOnly(decision);
    }
    const parts = value.split('-');
    if (parts.length < 2 || parts.length > 4) return undefined;
    const traceId = b3TraceId(parts[0]!);
    if (traceId === undefined || !isB3SpanId(parts[1]!)) return undefined;
    let decision: Decision | undefined;
    if (parts.length >= 3) {
      decision = singleState(parts[2]!);
      if (decision === undefined) return undefined;
    }
    if (parts.length === 4 && !isB3SpanId(parts[3]!)) return undefined;
    return withIds(traceId, parts[1]!, decision);
  },

  inject(context: SpanContext, carrier: Carrier): void {
    const state = context.debug === true ? 'd' : context.sampled === undefined ? '' : context.sampled ? '1' : '0';
    if (isSpanContextValid(context)) {
      setHeader(carrier, B3, state === '' ? `${context.traceId}-${context.spanId}` : `${context.traceId}-${context.spanId}-${state}`);
    } else if (state === '0') {
      setHeader(carrier, B3, '0');
    }
  },
};

/** `X-B3-Sampled`: `1`/`0`, and `true`/`false` as older tracers sent (the spec says accept both). */
function multiSampled(value: string | undefined): Decision | undefined | null {
  if (value === undefined) return undefined;
  const lower = value.toLowerCase();
  if (lower === '1' || lower === 'true') return ACCEPT;
  if (lower === '0' || lower === 'false') return DENY;
  return null;
}

/**
 * B3 multiple headers (`X-B3-TraceId`, `X-B3-SpanId`, `X-B3-ParentSpanId`, `X-B3-Sampled`,
 * `X-B3-Flags`), OTEL_PROPAGATORS name `b3multi`. `X-B3-Flags: 1` is debug (implies sampled,
 * and `X-B3-Sampled` is then not sent). A single `b3` header, when present, wins.
 */
export const b3MultiPropagator: Propagator = {
  name: 'b3multi',
  fields: [TRACE_ID, SPAN_ID, PARENT_SPAN_ID, SAMPLED, FLAGS],

  extract(headers: HeaderReader): SpanContext | undefined {
    if (headers.values(B3) !== undefined) return b3SinglePropagator.extract(headers);
    const sampled = multiSampled(headers.first(SAMPLED));
    if (sampled === null) return undefined;
    const decision = headers.first(FLAGS) === '1' ? DEBUG : sampled;
    const rawTraceId = headers.first(TRACE_ID);
    const spanId = headers.first(SPAN_ID);
    if (rawTraceId === undefined && spanId === undefined) {
      return decision === undefined ? undefined : decisionOnly(decision);
    }
    const traceId = rawTraceId === undefined ? undefined : b3TraceId(rawTraceId);
    if (traceId === undefined || spanId === undefined || !isB3SpanId(spanId)) return undefined;
    const parent = headers.first(PARENT_SPAN_ID);
    if (parent !== undefined && !isB3SpanId(parent)) return undefined;
    return withIds(traceId, spanId, decision);
  },

  inject(context: SpanContext, carrier: Carrier): void {
    if (isSpanContextValid(context)) {
      setHeader(carrier, TRACE_ID, context.traceId);
      setHeader(carrier, SPAN_ID, context.spanId);
    }
    if (context.debug === true) setHeader(carrier, FLAGS, '1');
    else if (context.sampled !== undefined) setHeader(carrier, SAMPLED, context.sampled ? '1' : '0');
  },
};
