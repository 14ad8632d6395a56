import { currentSpan } from './global';
import type { Span } from './span';

/** OpenTelemetry's log correlation fields (logs data model): ids in hex, W3C trace flags. */
export interface TraceLogFields {
  trace_id: string;
  span_id: string;
  /** W3C trace flags as two hex digits: `01` sampled, `03` sampled with a random trace id. */
  trace_flags: string;
}

const FLAGS = ['00', '01', '02', '03'];

/**
 * The fields that tie a log line to its trace: `{ trace_id, span_id, trace_flags }` for `span`
 * (default: the active span), `{}` outside a span. No logger dependency: pass it to any.
 *
 * @example
 * const logger = pino({ mixin: () => traceLogFields() });
 * @example
 * const logger = winston.createLogger({
 *   format: winston.format.combine(winston.format((info) => Object.assign(info, traceLogFields()))(), winston.format.json()),
 * });
 */
export function traceLogFields(span: Span | undefined = currentSpan()): TraceLogFields | Record<string, never> {
  if (span === undefined) return {};
  const context = span.spanContext();
  if (context.traceId === '' || context.spanId === '') return {};
  return {
    trace_id: context.traceId,
    span_id: context.spanId,
    trace_flags: FLAGS[(context.sampled === true ? 1 : 0) | (context.randomTraceId === true ? 2 : 0)]!,
  };
}
