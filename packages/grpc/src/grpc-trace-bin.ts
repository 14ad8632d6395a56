import { isValidSpanId, isValidTraceId, type SpanContext } from '@tracewell/core';

/** The binary metadata key OpenCensus and Google's Go and Java gRPC tracing send. */
export const GRPC_TRACE_BIN = 'grpc-trace-bin';

// The OpenCensus binary format, version 0: fields in this order, each a one-byte id and its value.
const VERSION = 0;
const TRACE_ID_FIELD = 0; // 16 bytes
const SPAN_ID_FIELD = 1; // 8 bytes
const OPTIONS_FIELD = 2; // 1 byte, bit 0: sampled
const LENGTH = 1 + 17 + 9 + 2;

/**
 * Reads a `grpc-trace-bin` value: version 0, then trace id, span id and, optionally, trace
 * options. Anything else (another version, a short or reordered value, zero ids) is no context.
 * A longer value keeps its first 29 bytes: later versions may append fields, which version 0
 * readers skip.
 */
export function readGrpcTraceBin(value: unknown): SpanContext | undefined {
  if (!(value instanceof Uint8Array) || value.length < LENGTH - 2 || value[0] !== VERSION) return undefined;
  if (value[1] !== TRACE_ID_FIELD || value[18] !== SPAN_ID_FIELD) return undefined;
  const hex = (from: number, to: number) => Buffer.from(value.buffer, value.byteOffset + from, to - from).toString('hex');
  const traceId = hex(2, 18);
  const spanId = hex(19, 27);
  if (!isValidTraceId(traceId) || !isValidSpanId(spanId)) return undefined;
  const sampled = value.length >= LENGTH && value[27] === OPTIONS_FIELD ? (value[28]! & 1) === 1 : false;
  return { traceId, spanId, sampled, isRemote: true };
}
