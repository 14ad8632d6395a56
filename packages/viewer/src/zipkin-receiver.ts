import { BadRequest, normalizeId, type StoredSpan, type StoredValue } from './stored-span';

const KINDS = new Set(['SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER']);

/**
 * Zipkin annotations are plain strings; OpenTelemetry-style exporters (ours included) write an
 * event with attributes as `name: {json}`. Read that back into a name and attributes.
 */
function annotationEvent(value: string): { name: string; attributes: Record<string, StoredValue> } {
  const match = /^(.*?): (\{.*\})$/s.exec(value);
  if (match !== null) {
    try {
      const parsed = JSON.parse(match[2]!) as unknown;
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return { name: match[1]!, attributes: parsed as Record<string, StoredValue> };
    } catch {
      // not JSON after all: keep the text as the name
    }
  }
  return { name: value, attributes: {} };
}

/** Parses a Zipkin v2 JSON list of spans (POST /api/v2/spans). */
export function spansFromZipkin(body: unknown): StoredSpan[] {
  if (!Array.isArray(body)) throw new BadRequest('Zipkin: the body must be a JSON array of spans');
  return body.map((raw, i) => {
    const where = `spans[${i}]`;
    const s = raw as Record<string, unknown>;
    if (s === null || typeof s !== 'object') throw new BadRequest(`${where}: not an object`);
    if (typeof s.traceId !== 'string' || typeof s.id !== 'string') throw new BadRequest(`${where}: traceId and id are required strings`);
    if (s.timestamp !== undefined && typeof s.timestamp !== 'number') throw new BadRequest(`${where}: timestamp must be a number of microseconds`);
    if (s.duration !== undefined && typeof s.duration !== 'number') throw new BadRequest(`${where}: duration must be a number of microseconds`);
    const start = (s.timestamp ?? 0) / 1000;
    const duration = (s.duration ?? 0) / 1000;
    const tags = (s.tags ?? {}) as Record<string, unknown>;
    if (typeof tags !== 'object' || Array.isArray(tags)) throw new BadRequest(`${where}: tags must be an object`);
    const attributes: Record<string, StoredValue> = {};
    for (const [key, value] of Object.entries(tags)) attributes[key] = String(value);
    const error = attributes.error;
    const local = s.localEndpoint as { serviceName?: unknown } | undefined;
    return {
      traceId: normalizeId(s.traceId, 'trace', where),
      spanId: normalizeId(s.id, 'span', where),
      parentSpanId: typeof s.parentId === 'string' && s.parentId !== '' ? normalizeId(s.parentId, 'span', where) : null,
      name: typeof s.name === 'string' ? s.name : '',
      kind: typeof s.kind === 'string' && KINDS.has(s.kind) ? (s.kind as StoredSpan['kind']) : 'INTERNAL',
      service: typeof local?.serviceName === 'string' ? local.serviceName : 'unknown_service',
      startTime: start,
      endTime: start + duration,
      durationMs: duration,
      attributes,
      events: ((s.annotations ?? []) as Array<{ timestamp?: unknown; value?: unknown }>).map((a) => ({
        ...annotationEvent(typeof a.value === 'string' ? a.value : ''),
        time: typeof a.timestamp === 'number' ? a.timestamp / 1000 : start,
      })),
      status: error === undefined ? { code: 'UNSET' } : error === '' ? { code: 'ERROR' } : { code: 'ERROR', message: String(error) },
    } satisfies StoredSpan;
  });
}
