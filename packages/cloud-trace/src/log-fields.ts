import type { Span } from '@tracewell/core';

/** The Cloud Logging fields that tie a log entry to a trace and span. */
export interface CloudLogFields {
  'logging.googleapis.com/trace': string;
  'logging.googleapis.com/spanId': string;
  'logging.googleapis.com/trace_sampled': boolean;
}

/** Cloud Logging's trace fields for `span` in `projectId`; `{}` without either. */
export function logFieldsFor(span: Span | undefined, projectId: string | undefined): CloudLogFields | Record<string, never> {
  if (span === undefined || projectId === undefined) return {};
  const context = span.spanContext();
  if (context.traceId === '') return {};
  return {
    'logging.googleapis.com/trace': `projects/${projectId}/traces/${context.traceId}`,
    'logging.googleapis.com/spanId': context.spanId,
    'logging.googleapis.com/trace_sampled': context.sampled === true,
  };
}
