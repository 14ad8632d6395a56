import type { AttributesInput } from '../attributes';
import type { SpanContext } from '../span-context';
import type { SpanKind } from '../span-kind';

/** What a sampler sees when a span starts. */
export interface SamplingParameters {
  /** The trace id the span will have. */
  readonly traceId: string;
  readonly name: string;
  readonly kind: SpanKind;
  readonly attributes: AttributesInput | undefined;
  /** The parent's context; `sampled` is undefined when the caller sent no decision. */
  readonly parent: SpanContext | undefined;
}

/** A sampler's decision, with optional attributes to add to the span. */
export interface SamplingResult {
  readonly sampled: boolean;
  readonly attributes?: AttributesInput;
}

/**
 * Decides whether a new span records. Called once per span start: keep it cheap and
 * synchronous, and never throw (a throwing sampler is treated as "not sampled").
 */
export interface Sampler {
  shouldSample(parameters: SamplingParameters): SamplingResult;
  /** A short description for diagnostics, e.g. `ParentBased{root=AlwaysOn}`. */
  toString(): string;
}
