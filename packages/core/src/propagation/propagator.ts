import type { SpanContext } from '../span-context';
import type { Carrier, HeaderReader } from './carrier';

/** Names of the built-in formats, as in `OTEL_PROPAGATORS`. */
export type PropagatorName = 'tracecontext' | 'cloud-trace' | 'b3' | 'b3multi';

/**
 * One trace header format. `extract` must never throw: malformed input returns `undefined`.
 * `inject` writes only this format's headers.
 */
export interface Propagator {
  /** Name used in options and `OTEL_PROPAGATORS`. */
  readonly name: string;
  /** Lowercase header names this format reads and writes. */
  readonly fields: ReadonlyArray<string>;
  /** Reads a context from the headers, or `undefined` if they carry none that is valid. */
  extract(headers: HeaderReader): SpanContext | undefined;
  /** Writes the context's headers. */
  inject(context: SpanContext, carrier: Carrier): void;
}
