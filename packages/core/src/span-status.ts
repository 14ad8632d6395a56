/** Outcome of a span's operation, as in OpenTelemetry and OTLP. */
export enum SpanStatusCode {
  UNSET = 0,
  OK = 1,
  ERROR = 2,
}

/** A span's status: a code, and for errors an optional description. */
export interface SpanStatus {
  readonly code: SpanStatusCode;
  readonly message?: string;
}
