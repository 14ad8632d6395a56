/** What role a span plays in a call, as in OpenTelemetry (values match OTLP's enum minus one). */
export enum SpanKind {
  INTERNAL = 0,
  SERVER = 1,
  CLIENT = 2,
  PRODUCER = 3,
  CONSUMER = 4,
}
