import { SpanKind, SpanStatusCode, VERSION, type Attributes, type AttributeValue, type ReadableSpan } from '@tracewell/core';
import { rfc3339 } from './rfc3339';
import { parseStackTrace, type StackTrace } from './stack-trace';
import { truncate, truncateText, type TruncatableString } from './truncatable-string';

// The Cloud Trace API v2 Span resource (projects.traces.batchWrite) and its documented limits.
export const LIMITS = Object.freeze({
  displayNameBytes: 128,
  attributeKeyBytes: 128,
  attributeValueBytes: 256,
  attributesPerSpan: 32,
  annotationsPerSpan: 32,
  attributesPerAnnotation: 4,
  annotationDescriptionBytes: 256,
  messageEventsPerSpan: 128,
  linksPerSpan: 128,
});

/** A v2 AttributeValue. */
export type CloudAttributeValue = { stringValue: TruncatableString } | { intValue: string } | { boolValue: boolean };

/** v2 Attributes. */
export interface CloudAttributes {
  attributeMap: Record<string, CloudAttributeValue>;
  droppedAttributesCount?: number;
}

/** A v2 Span, as `traces:batchWrite` takes it. */
export interface CloudTraceSpan {
  name: string;
  spanId: string;
  parentSpanId?: string;
  displayName: TruncatableString;
  startTime: string;
  endTime: string;
  attributes: CloudAttributes;
  stackTrace?: StackTrace;
  timeEvents?: { timeEvent: Array<{ time: string; annotation: { description: TruncatableString; attributes: CloudAttributes } }>; droppedAnnotationsCount?: number };
  links?: { link: Array<{ traceId: string; spanId: string; type: 'TYPE_UNSPECIFIED'; attributes: CloudAttributes }>; droppedLinksCount?: number };
  status?: { code: number; message?: string };
  sameProcessAsParentSpan?: boolean;
  childSpanCount?: number;
  spanKind: 'INTERNAL' | 'SERVER' | 'CLIENT' | 'PRODUCER' | 'CONSUMER';
}

const KINDS: Record<number, CloudTraceSpan['spanKind']> = {
  [SpanKind.INTERNAL]: 'INTERNAL',
  [SpanKind.SERVER]: 'SERVER',
  [SpanKind.CLIENT]: 'CLIENT',
  [SpanKind.PRODUCER]: 'PRODUCER',
  [SpanKind.CONSUMER]: 'CONSUMER',
};

/** The agent label Cloud Trace shows for spans we send. */
export const AGENT = `tracewell-nodejs ${VERSION}`;

// Cloud Trace's well-known HTTP labels, each from the current OpenTelemetry attribute name or
// the older one (instrumentations of both generations are common).
const STANDARD_LABELS: ReadonlyArray<readonly [string, ReadonlyArray<string>]> = [
  ['/http/method', ['http.request.method', 'http.method']],
  ['/http/status_code', ['http.response.status_code', 'http.status_code']],
  ['/http/url', ['url.full', 'http.url']],
  ['/http/route', ['http.route']],
  ['/http/host', ['server.address', 'http.host']],
  ['/http/user_agent', ['user_agent.original', 'http.user_agent']],
];

function attributeValue(value: AttributeValue): CloudAttributeValue {
  if (typeof value === 'boolean') return { boolValue: value };
  if (typeof value === 'number' && Number.isSafeInteger(value)) return { intValue: String(value) };
  // v2 has no double or array values: they become strings rather than being lost.
  const text = typeof value === 'string' ? value : typeof value === 'number' ? String(value) : JSON.stringify(value);
  return { stringValue: truncate(text, LIMITS.attributeValueBytes) };
}

/**
 * Builds a v2 attribute map from entries in priority order, keeping at most `max` distinct
 * keys (keys cut to 128 bytes); `alreadyDropped` carries drops that happened earlier.
 */
function attributes(entries: Iterable<readonly [string, AttributeValue]>, max: number, alreadyDropped = 0): CloudAttributes {
  const attributeMap: Record<string, CloudAttributeValue> = Object.create(null) as Record<string, CloudAttributeValue>;
  const seen = new Set<string>();
  let count = 0;
  let dropped = alreadyDropped;
  for (const [rawKey, value] of entries) {
    if (seen.has(rawKey)) continue; // the same key twice (e.g. service.name): the first wins
    seen.add(rawKey);
    const key = truncateText(rawKey, LIMITS.attributeKeyBytes);
    // Two long keys that are equal once cut: the API counts the loser as dropped.
    if (key in attributeMap || count === max) {
      dropped++;
      continue;
    }
    attributeMap[key] = attributeValue(value);
    count++;
  }
  return dropped === 0 ? { attributeMap } : { attributeMap, droppedAttributesCount: dropped };
}

function* spanAttributeEntries(span: ReadableSpan): Generator<readonly [string, AttributeValue]> {
  const a = span.attributes;
  for (const [label, names] of STANDARD_LABELS) {
    const name = names.find((n) => a[n] !== undefined);
    if (name !== undefined) yield [label, a[name]!];
  }
  yield ['g.co/agent', AGENT];
  const service = span.resource.attributes['service.name'];
  if (service !== undefined) yield ['service.name', service];
  for (const key of Object.keys(a)) yield [key, a[key]!];
}

function entries(attrs: Attributes | undefined): Array<readonly [string, AttributeValue]> {
  return attrs === undefined ? [] : Object.keys(attrs).map((k) => [k, attrs[k]!] as const);
}

/**
 * Converts a finished span to a Cloud Trace v2 span, enforcing every documented limit so the
 * API never rejects a batch for size: display name 128 bytes, attribute keys 128 bytes,
 * string values 256 bytes (cut on a UTF-8 boundary, with `truncatedByteCount`), 32 attributes
 * (the standard labels first), 32 annotations of 4 attributes, 128 links, 128 stack frames.
 *
 * @param span - a finished span
 * @param projectId - the Google Cloud project the trace is written to
 * @example
 * const body = JSON.stringify({ spans: spans.map((s) => toCloudTraceSpan(s, 'my-project')) });
 */
export function toCloudTraceSpan(span: ReadableSpan, projectId: string): CloudTraceSpan {
  const out: CloudTraceSpan = {
    name: `projects/${projectId}/traces/${span.traceId}/spans/${span.spanId}`,
    spanId: span.spanId,
    displayName: truncate(span.name, LIMITS.displayNameBytes),
    startTime: rfc3339(span.startTime),
    endTime: rfc3339(span.endTime),
    attributes: attributes(spanAttributeEntries(span), LIMITS.attributesPerSpan, span.droppedAttributesCount),
    spanKind: KINDS[span.kind] ?? 'INTERNAL',
  };
  if (span.parentSpanId !== undefined) {
    out.parentSpanId = span.parentSpanId;
    out.sameProcessAsParentSpan = !span.parentIsRemote;
  }
  if (span.childSpanCount !== undefined && span.childSpanCount > 0) out.childSpanCount = span.childSpanCount;
  if (span.status.code === SpanStatusCode.ERROR) {
    // google.rpc.Code UNKNOWN (2): the span failed, with no finer classification.
    out.status = span.status.message === undefined ? { code: 2 } : { code: 2, message: span.status.message };
  } else if (span.status.code === SpanStatusCode.OK) out.status = { code: 0 };

  const events = span.events;
  if (events.length > 0 || span.droppedEventsCount > 0) {
    const kept = events.slice(-LIMITS.annotationsPerSpan); // the newest explain the end best
    out.timeEvents = {
      timeEvent: kept.map((e) => ({
        time: rfc3339(e.time),
        annotation: {
          description: truncate(e.name, LIMITS.annotationDescriptionBytes),
          attributes: attributes(entries(e.attributes), LIMITS.attributesPerAnnotation, e.droppedAttributesCount),
        },
      })),
    };
    const droppedAnnotations = events.length - kept.length + span.droppedEventsCount;
    if (droppedAnnotations > 0) out.timeEvents.droppedAnnotationsCount = droppedAnnotations;
    const exception = [...events].reverse().find((e) => e.name === 'exception' && typeof e.attributes['exception.stacktrace'] === 'string');
    const stackTrace = exception === undefined ? undefined : parseStackTrace(exception.attributes['exception.stacktrace'] as string);
    if (stackTrace !== undefined) out.stackTrace = stackTrace;
  }

  if (span.links.length > 0 || span.droppedLinksCount > 0) {
    const kept = span.links.slice(0, LIMITS.linksPerSpan);
    out.links = {
      link: kept.map((l) => ({
        traceId: l.context.traceId,
        spanId: l.context.spanId,
        type: 'TYPE_UNSPECIFIED' as const,
        attributes: attributes(entries(l.attributes), LIMITS.attributesPerSpan, l.droppedAttributesCount ?? 0),
      })),
    };
    const droppedLinks = span.links.length - kept.length + span.droppedLinksCount;
    if (droppedLinks > 0) out.links.droppedLinksCount = droppedLinks;
  }
  return out;
}
