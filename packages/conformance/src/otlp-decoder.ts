import protobuf from 'protobufjs';

// The OTLP trace request and response messages, written for these tests from the field
// numbers and types of opentelemetry-proto (opentelemetry/proto/collector/trace/v1,
// trace/v1, resource/v1 and common/v1, protocol version 1.x). Decoding the bytes that
// OpenTelemetry JS's own serializer produces with this schema is part of the tests, so a
// wrong number here would fail them.
const SCHEMA = `syntax = "proto3";
package otlp;

message AnyValue {
  oneof value {
    string string_value = 1;
    bool bool_value = 2;
    int64 int_value = 3;
    double double_value = 4;
    ArrayValue array_value = 5;
    KeyValueList kvlist_value = 6;
    bytes bytes_value = 7;
  }
}
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
message KeyValue { string key = 1; AnyValue value = 2; }
message InstrumentationScope {
  string name = 1;
  string version = 2;
  repeated KeyValue attributes = 3;
  uint32 dropped_attributes_count = 4;
}
message Resource {
  repeated KeyValue attributes = 1;
  uint32 dropped_attributes_count = 2;
}
message Status {
  string message = 2;
  int32 code = 3;
}
message Event {
  fixed64 time_unix_nano = 1;
  string name = 2;
  repeated KeyValue attributes = 3;
  uint32 dropped_attributes_count = 4;
}
message Link {
  bytes trace_id = 1;
  bytes span_id = 2;
  string trace_state = 3;
  repeated KeyValue attributes = 4;
  uint32 dropped_attributes_count = 5;
  fixed32 flags = 6;
}
message Span {
  bytes trace_id = 1;
  bytes span_id = 2;
  string trace_state = 3;
  bytes parent_span_id = 4;
  fixed32 flags = 16;
  string name = 5;
  int32 kind = 6;
  fixed64 start_time_unix_nano = 7;
  fixed64 end_time_unix_nano = 8;
  repeated KeyValue attributes = 9;
  uint32 dropped_attributes_count = 10;
  repeated Event events = 11;
  uint32 dropped_events_count = 12;
  repeated Link links = 13;
  uint32 dropped_links_count = 14;
  Status status = 15;
}
message ScopeSpans {
  InstrumentationScope scope = 1;
  repeated Span spans = 2;
  string schema_url = 3;
}
message ResourceSpans {
  Resource resource = 1;
  repeated ScopeSpans scope_spans = 2;
  string schema_url = 3;
}
message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
message ExportTracePartialSuccess {
  int64 rejected_spans = 1;
  string error_message = 2;
}
message ExportTraceServiceResponse { ExportTracePartialSuccess partial_success = 1; }`;

const root = protobuf.parse(SCHEMA, { keepCase: false }).root;

/** ExportTraceServiceRequest, loaded by protobufjs from the schema above. */
export const OtlpRequest = root.lookupType('otlp.ExportTraceServiceRequest');
/** ExportTraceServiceResponse. */
export const OtlpResponse = root.lookupType('otlp.ExportTraceServiceResponse');

/** Decodes an OTLP protobuf ExportTraceServiceRequest into plain data: ids as hex, 64-bit numbers as strings. */
export function decodeOtlpRequest(bytes: Uint8Array): unknown {
  const object = OtlpRequest.toObject(OtlpRequest.decode(bytes), { longs: String, bytes: String, defaults: false, arrays: true, oneofs: false });
  return hexIds(object);
}

function hexIds(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(hexIds);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] = /^(traceId|spanId|parentSpanId)$/.test(key) && typeof v === 'string' ? Buffer.from(v, 'base64').toString('hex') : hexIds(v);
  }
  return out;
}
