import { arrayAt, objectAt, optionalObjectAt, stringAt } from './json-shape';
import { detached, SpanLimiter, type DecodedValue, type SpanDraft } from './span-limiter';
import { BadRequest, normalizeId, type StoredSpan } from './stored-span';
import { resolveViewerLimits, type ViewerLimits } from './viewer-limits';

const KINDS = new Set(['SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER']);

/**
 * Zipkin annotations are plain strings; OpenTelemetry-style exporters (ours included) write an
 * event with attributes as `name: {json}`. Read that back into a name and attributes.
 */
function annotationEvent(value: string, limiter: SpanLimiter): { name: string; attributes: Array<[string, DecodedValue]> } {
  // `name: {...}`: the first ": {" in a value ending in "}" (indexOf, not a regex: linear time).
  const split = value.endsWith('}') ? value.indexOf(': {') : -1;
  if (split !== -1) {
    try {
      const parsed = JSON.parse(value.slice(split + 2)) as unknown;
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
        return { name: detached(value.slice(0, split)), attributes: Object.keys(parsed).map((key) => [key, limiter.fromJson((parsed as Record<string, unknown>)[key])]) };
      }
    } catch {
      // not JSON after all: keep the text as the name
    }
  }
  return { name: value, attributes: [] };
}

/** Zipkin tags are strings; numbers and booleans are taken as their text. */
function tagValue(value: unknown, where: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new BadRequest(`${where}: expected a string`);
}

function micros(value: unknown, where: string): number {
  if (value === undefined || value === null) return 0;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new BadRequest(`${where}: expected a number of microseconds`);
  return value / 1000;
}

function zipkinSpan(raw: unknown, where: string, limiter: SpanLimiter): StoredSpan {
  const s = objectAt(raw, where);
  if (typeof s.traceId !== 'string' || typeof s.id !== 'string') throw new BadRequest(`${where}: traceId and id are required strings`);
  const start = micros(s.timestamp, `${where}.timestamp`);
  const duration = micros(s.duration, `${where}.duration`);
  const tags = optionalObjectAt(s.tags, `${where}.tags`) ?? {};
  const attributes: Array<[string, DecodedValue]> = Object.keys(tags).map((key) => [key, tagValue(tags[key], `${where}.tags`)]);
  const error = Object.prototype.hasOwnProperty.call(tags, 'error') ? String(tags.error) : undefined;
  const local = optionalObjectAt(s.localEndpoint, `${where}.localEndpoint`);
  const parentId = stringAt(s.parentId, `${where}.parentId`);
  const draft: SpanDraft = {
    traceId: normalizeId(s.traceId, 'trace', where),
    spanId: normalizeId(s.id, 'span', where),
    parentSpanId: parentId === '' ? null : normalizeId(parentId, 'span', where),
    name: stringAt(s.name, `${where}.name`),
    kind: typeof s.kind === 'string' && KINDS.has(s.kind) ? (s.kind as StoredSpan['kind']) : 'INTERNAL',
    service: stringAt(local?.serviceName, `${where}.localEndpoint.serviceName`, 'unknown_service'),
    startTime: start,
    endTime: start + duration,
    attributes,
    events: arrayAt(s.annotations, `${where}.annotations`).map((a, n) => {
      const annotation = objectAt(a, `${where}.annotations[${n}]`);
      const time = annotation.timestamp === undefined || annotation.timestamp === null ? start : micros(annotation.timestamp, `${where}.annotations[${n}].timestamp`);
      return { ...annotationEvent(stringAt(annotation.value, `${where}.annotations[${n}].value`), limiter), time };
    }),
    status: error === undefined ? { code: 'UNSET' } : error === '' ? { code: 'ERROR' } : { code: 'ERROR', message: error },
  };
  return limiter.span(draft);
}

/** Reads a Zipkin v2 JSON list of spans within the limiter's limits; BadRequest for anything malformed. */
export function readZipkin(body: unknown, limiter: SpanLimiter): StoredSpan[] {
  if (!Array.isArray(body)) throw new BadRequest('Zipkin: the body must be a JSON array of spans');
  return body.map((raw: unknown, i) => zipkinSpan(raw, `spans[${i}]`, limiter));
}

/**
 * Parses a Zipkin v2 JSON list of spans (POST /api/v2/spans, already `JSON.parse`d) into
 * stored spans, within `limits`. Throws BadRequest with a message for anything malformed.
 *
 * @example
 * const spans = spansFromZipkin(JSON.parse(body));
 */
export function spansFromZipkin(body: unknown, limits?: ViewerLimits): StoredSpan[] {
  return readZipkin(body, new SpanLimiter(resolveViewerLimits(limits, 'limits')));
}
