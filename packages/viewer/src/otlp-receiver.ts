import { readFields, bytesOf, nanosToMillis, numberOf, stringOf, type WireValue } from './protobuf-reader';
import { BadRequest, normalizeId, type StoredSpan, type StoredValue } from './stored-span';

// OTLP trace requests (opentelemetry-proto collector/trace/v1 ExportTraceServiceRequest) in both
// encodings, turned into StoredSpans. Field numbers as in trace/v1, resource/v1 and common/v1.

const KINDS: ReadonlyArray<StoredSpan['kind']> = ['INTERNAL', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'];
const STATUS: ReadonlyArray<StoredSpan['status']['code']> = ['UNSET', 'OK', 'ERROR'];

function kindOf(value: unknown): StoredSpan['kind'] {
  if (typeof value === 'string') {
    const name = value.replace(/^SPAN_KIND_/, '');
    return (KINDS.includes(name as StoredSpan['kind']) ? name : 'INTERNAL') as StoredSpan['kind'];
  }
  return typeof value === 'number' && KINDS[value] !== undefined ? KINDS[value]! : 'INTERNAL';
}

function statusCodeOf(value: unknown): StoredSpan['status']['code'] {
  if (typeof value === 'string') {
    const name = value.replace(/^STATUS_CODE_/, '');
    return (STATUS.includes(name as StoredSpan['status']['code']) ? name : 'UNSET') as StoredSpan['status']['code'];
  }
  return typeof value === 'number' && STATUS[value] !== undefined ? STATUS[value]! : 'UNSET';
}

function finishSpan(span: Omit<StoredSpan, 'durationMs' | 'service'>, service: string): StoredSpan {
  return { ...span, service, durationMs: Math.max(0, span.endTime - span.startTime) };
}

// ---------- OTLP/JSON ----------

function jsonId(value: unknown, kind: 'trace' | 'span', where: string): string {
  if (typeof value !== 'string') throw new BadRequest(`${where}: ${kind} id must be a string`);
  // The OTLP JSON mapping uses hex; some senders use the generic proto JSON base64.
  if (/^[0-9a-fA-F]+$/.test(value)) return normalizeId(value, kind, where);
  return normalizeId(Buffer.from(value, 'base64').toString('hex'), kind, where);
}

function jsonNanos(value: unknown, where: string): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value / 1e6;
  if (typeof value === 'string' && /^\d{1,20}$/.test(value)) return Number(BigInt(value) / 1000n) / 1000;
  throw new BadRequest(`${where}: expected nanoseconds as a decimal string or number`);
}

function jsonAnyValue(value: unknown): StoredValue {
  const v = (value ?? {}) as Record<string, unknown>;
  if (typeof v.stringValue === 'string') return v.stringValue;
  if (typeof v.boolValue === 'boolean') return v.boolValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return Number(v.doubleValue);
  if (v.arrayValue !== undefined) return (((v.arrayValue as { values?: unknown[] }).values ?? []) as unknown[]).map(jsonAnyValue);
  if (v.kvlistValue !== undefined) return JSON.stringify(jsonAttributes((v.kvlistValue as { values?: unknown }).values, 'kvlist'));
  if (typeof v.bytesValue === 'string') return v.bytesValue;
  return '';
}

function jsonAttributes(list: unknown, where: string): Record<string, StoredValue> {
  const out: Record<string, StoredValue> = {};
  if (list === undefined || list === null) return out;
  if (!Array.isArray(list)) throw new BadRequest(`${where}: attributes must be an array`);
  for (const kv of list as Array<{ key?: unknown; value?: unknown }>) {
    if (kv === null || typeof kv !== 'object' || typeof kv.key !== 'string') throw new BadRequest(`${where}: attribute without a string key`);
    out[kv.key] = jsonAnyValue(kv.value);
  }
  return out;
}

function array(value: unknown, where: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new BadRequest(`${where}: expected an array`);
  return value;
}

/** Parses an OTLP/JSON ExportTraceServiceRequest. */
export function spansFromOtlpJson(body: unknown): StoredSpan[] {
  if (body === null || typeof body !== 'object') throw new BadRequest('OTLP/JSON: the body must be an object');
  const spans: StoredSpan[] = [];
  array((body as { resourceSpans?: unknown }).resourceSpans, 'resourceSpans').forEach((rs, i) => {
    const r = rs as { resource?: { attributes?: unknown }; scopeSpans?: unknown; instrumentationLibrarySpans?: unknown };
    const resource = jsonAttributes(r.resource?.attributes, `resourceSpans[${i}].resource`);
    const service = typeof resource['service.name'] === 'string' ? resource['service.name'] : 'unknown_service';
    array(r.scopeSpans ?? r.instrumentationLibrarySpans, `resourceSpans[${i}].scopeSpans`).forEach((ss, j) => {
      array((ss as { spans?: unknown }).spans, `resourceSpans[${i}].scopeSpans[${j}].spans`).forEach((raw, k) => {
        const where = `resourceSpans[${i}].scopeSpans[${j}].spans[${k}]`;
        const s = raw as Record<string, unknown>;
        if (s === null || typeof s !== 'object') throw new BadRequest(`${where}: not an object`);
        const parent = s.parentSpanId;
        const status = (s.status ?? {}) as { code?: unknown; message?: unknown };
        spans.push(
          finishSpan(
            {
              traceId: jsonId(s.traceId, 'trace', where),
              spanId: jsonId(s.spanId, 'span', where),
              parentSpanId: parent === undefined || parent === null || parent === '' ? null : jsonId(parent, 'span', where),
              name: typeof s.name === 'string' ? s.name : '',
              kind: kindOf(s.kind),
              startTime: jsonNanos(s.startTimeUnixNano, `${where}.startTimeUnixNano`),
              endTime: jsonNanos(s.endTimeUnixNano, `${where}.endTimeUnixNano`),
              attributes: jsonAttributes(s.attributes, where),
              events: array(s.events, `${where}.events`).map((e, n) => {
                const ev = e as { name?: unknown; timeUnixNano?: unknown; attributes?: unknown };
                return { name: typeof ev.name === 'string' ? ev.name : '', time: jsonNanos(ev.timeUnixNano, `${where}.events[${n}]`), attributes: jsonAttributes(ev.attributes, `${where}.events[${n}]`) };
              }),
              status: typeof status.message === 'string' && status.message !== '' ? { code: statusCodeOf(status.code), message: status.message } : { code: statusCodeOf(status.code) },
            },
            service,
          ),
        );
      });
    });
  });
  return spans;
}

// ---------- OTLP/protobuf ----------

function protoAnyValue(bytes: Uint8Array): StoredValue {
  let out: StoredValue = '';
  readFields(bytes, (field, v) => {
    if (field === 1) out = stringOf(v, 'AnyValue.string_value');
    else if (field === 2) out = numberOf(v, 'AnyValue.bool_value') !== 0;
    else if (field === 3) out = numberOf(v, 'AnyValue.int_value');
    else if (field === 4) {
      if (v.kind !== 'fixed64') throw new BadRequest('AnyValue.double_value: expected fixed64');
      out = v.value.getFloat64(0, true);
    } else if (field === 5) {
      const values: StoredValue[] = [];
      readFields(bytesOf(v, 'ArrayValue'), (f, item) => {
        if (f === 1) values.push(protoAnyValue(bytesOf(item, 'ArrayValue.values')));
      });
      out = values;
    } else if (field === 6) out = JSON.stringify(protoAttributesList(bytesOf(v, 'KeyValueList'), 1));
    else if (field === 7) out = Buffer.from(bytesOf(v, 'AnyValue.bytes_value')).toString('base64');
  });
  return out;
}

function protoKeyValue(bytes: Uint8Array, into: Record<string, StoredValue>): void {
  let key = '';
  let value: StoredValue = '';
  readFields(bytes, (field, v) => {
    if (field === 1) key = stringOf(v, 'KeyValue.key');
    else if (field === 2) value = protoAnyValue(bytesOf(v, 'KeyValue.value'));
  });
  into[key] = value;
}

function protoAttributesList(bytes: Uint8Array, field: number): Record<string, StoredValue> {
  const out: Record<string, StoredValue> = {};
  readFields(bytes, (f, v) => {
    if (f === field) protoKeyValue(bytesOf(v, 'KeyValue'), out);
  });
  return out;
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

function protoSpan(bytes: Uint8Array, service: string): StoredSpan {
  let traceId = '';
  let spanId = '';
  let parentSpanId: string | null = null;
  let name = '';
  let kind: StoredSpan['kind'] = 'INTERNAL';
  let startTime = 0;
  let endTime = 0;
  const attributes: Record<string, StoredValue> = {};
  const events: StoredSpan['events'] = [];
  let status: StoredSpan['status'] = { code: 'UNSET' };
  readFields(bytes, (field, v) => {
    switch (field) {
      case 1:
        traceId = normalizeId(hex(bytesOf(v, 'Span.trace_id')), 'trace', 'Span');
        break;
      case 2:
        spanId = normalizeId(hex(bytesOf(v, 'Span.span_id')), 'span', 'Span');
        break;
      case 4: {
        const parent = bytesOf(v, 'Span.parent_span_id');
        parentSpanId = parent.length === 0 ? null : normalizeId(hex(parent), 'span', 'Span.parent_span_id');
        break;
      }
      case 5:
        name = stringOf(v, 'Span.name');
        break;
      case 6:
        kind = kindOf(numberOf(v, 'Span.kind'));
        break;
      case 7:
        startTime = nanosToMillis(v, 'Span.start_time_unix_nano');
        break;
      case 8:
        endTime = nanosToMillis(v, 'Span.end_time_unix_nano');
        break;
      case 9:
        protoKeyValue(bytesOf(v, 'Span.attributes'), attributes);
        break;
      case 11: {
        const event = { name: '', time: 0, attributes: {} as Record<string, StoredValue> };
        readFields(bytesOf(v, 'Span.events'), (f, ev) => {
          if (f === 1) event.time = nanosToMillis(ev, 'Event.time_unix_nano');
          else if (f === 2) event.name = stringOf(ev, 'Event.name');
          else if (f === 3) protoKeyValue(bytesOf(ev, 'Event.attributes'), event.attributes);
        });
        events.push(event);
        break;
      }
      case 15: {
        let code: StoredSpan['status']['code'] = 'UNSET';
        let message = '';
        readFields(bytesOf(v, 'Span.status'), (f, st) => {
          if (f === 2) message = stringOf(st, 'Status.message');
          else if (f === 3) code = statusCodeOf(numberOf(st, 'Status.code'));
        });
        status = message === '' ? { code } : { code, message };
        break;
      }
      default:
        break; // trace_state, links, flags, dropped counts: not shown
    }
  });
  if (traceId === '' || spanId === '') throw new BadRequest('Span: trace_id and span_id are required');
  return finishSpan({ traceId, spanId, parentSpanId, name, kind, startTime, endTime, attributes, events, status }, service);
}

/** Parses an OTLP/protobuf ExportTraceServiceRequest. */
export function spansFromOtlpProtobuf(body: Uint8Array): StoredSpan[] {
  const spans: StoredSpan[] = [];
  readFields(body, (field, rs) => {
    if (field !== 1) return;
    let service = 'unknown_service';
    const scopeSpans: Uint8Array[] = [];
    readFields(bytesOf(rs, 'ResourceSpans'), (f, v: WireValue) => {
      if (f === 1) {
        const resource = protoAttributesList(bytesOf(v, 'Resource'), 1);
        if (typeof resource['service.name'] === 'string') service = resource['service.name'];
      } else if (f === 2) scopeSpans.push(bytesOf(v, 'ScopeSpans'));
    });
    for (const ss of scopeSpans) {
      readFields(ss, (f, v) => {
        if (f === 2) spans.push(protoSpan(bytesOf(v, 'Span'), service));
      });
    }
  });
  return spans;
}
