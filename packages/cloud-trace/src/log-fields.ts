import { traceLogFields, type Span } from '@tracewell/core';

/** The Cloud Logging fields that tie a log entry to a trace and span. */
export interface CloudLogFields {
  'logging.googleapis.com/trace': string;
  'logging.googleapis.com/spanId': string;
  'logging.googleapis.com/trace_sampled': boolean;
}

/** Cloud Logging's trace fields for `span` in `projectId`, built on core's `traceLogFields`; `{}` without either. */
export function logFieldsFor(span: Span | undefined, projectId: string | undefined): CloudLogFields | Record<string, never> {
  if (span === undefined || projectId === undefined) return {};
  const fields = traceLogFields(span);
  if (!('trace_id' in fields)) return {};
  return {
    'logging.googleapis.com/trace': `projects/${projectId}/traces/${fields.trace_id}`,
    'logging.googleapis.com/spanId': fields.span_id,
    'logging.googleapis.com/trace_sampled': (parseInt(fields.trace_flags, 16) & 1) === 1,
  };
}
