import type { SpanContext } from '../span-context';
import { isSpanContextValid } from '../span-context';
import { TraceState } from '../trace-state';
import { setHeader, type Carrier, type HeaderReader } from './carrier';
import type { Propagator } from './propagator';

const TRACEPARENT = 'traceparent';
const TRACESTATE = 'tracestate';
const HEX2 = /^[0-9a-f]{2}$/;
const TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;
const ZERO_TRACE_ID = '0'.repeat(32);
const ZERO_SPAN_ID = '0'.repeat(16);
const SAMPLED = 0x01;
const RANDOM = 0x02;
// Outgoing trace-flags by (sampled | random): precomputed, no formatting per request.
const FLAGS = ['00', '01', '02', '03'];

interface Traceparent {
  traceId: string;
  spanId: string;
  flags: number;
}

/**
 * Parses a traceparent value (W3C Trace Context Level 2, 3.2). Version `ff` is invalid;
 * version `00` must be exactly 55 characters; a later version is read by its first four fields
 * when what follows them starts with `-`.
 */
export function parseTraceparent(value: string): Traceparent | undefined {
  if (value.length < 55) return undefined;
  const version = value.slice(0, 2);
  if (!HEX2.test(version) || version === 'ff') return undefined;
  if (version === '00' ? value.length !== 55 : value.length > 55 && value.charCodeAt(55) !== 0x2d) return undefined;
  if (value.charCodeAt(2) !== 0x2d || value.charCodeAt(35) !== 0x2d || value.charCodeAt(52) !== 0x2d) return undefined;
  const traceId = value.slice(3, 35);
  const spanId = value.slice(36, 52);
  const flags = value.slice(53, 55);
  if (!TRACE_ID.test(traceId) || traceId === ZERO_TRACE_ID) return undefined;
  if (!SPAN_ID.test(spanId) || spanId === ZERO_SPAN_ID) return undefined;
  if (!HEX2.test(flags)) return undefined;
  return { traceId, spanId, flags: parseInt(flags, 16) };
}

/**
 * W3C Trace Context (`traceparent` + `tracestate`), OTEL_PROPAGATORS name `tracecontext`.
 * Always sends version `00`. The random-trace-id flag is passed on as received.
 */
export const w3cTraceContextPropagator: Propagator = {
  name: 'tracecontext',
  fields: [TRACEPARENT, TRACESTATE],

  extract(headers: HeaderReader): SpanContext | undefined {
    // Two traceparent headers are invalid (the reader returns undefined for repeats); Node
    // joins repeats into one comma-separated string, which fails the length check.
    const value = headers.single(TRACEPARENT);
    if (value === undefined) return undefined;
    const parsed = parseTraceparent(value);
    if (parsed === undefined) return undefined;
    const stateValues = headers.values(TRACESTATE);
    const traceState = stateValues === undefined ? undefined : TraceState.parse(stateValues);
    return {
      traceId: parsed.traceId,
      spanId: parsed.spanId,
      sampled: (parsed.flags & SAMPLED) !== 0,
      randomTraceId: (parsed.flags & RANDOM) !== 0,
      isRemote: true,
      ...(traceState !== undefined && traceState.size > 0 ? { traceState } : {}),
    };
  },

  inject(context: SpanContext, carrier: Carrier): void {
    if (!isSpanContextValid(context)) return;
    const flags = (context.sampled === true ? SAMPLED : 0) | (context.randomTraceId === true ? RANDOM : 0);
    setHeader(carrier, TRACEPARENT, `00-${context.traceId}-${context.spanId}-${FLAGS[flags]}`);
    if (context.traceState !== undefined && context.traceState.size > 0) {
      setHeader(carrier, TRACESTATE, context.traceState.serialize());
    }
  },
};
