import { arrayAt, objectAt, optionalObjectAt, stringAt } from './json-shape';
import { readFields, bytesOf, nanosToMillis, numberOf, stringOf, type WireValue } from './protobuf-reader';
import { SpanLimiter, type DecodedValue, type SpanDraft } from './span-limiter';
import { BadRequest, normalizeId, type StoredSpan } from './stored-span';
import { resolveViewerLimits, type ViewerLimits } from './viewer-limits';

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

/**
 * An int or double value: proto3 JSON writes 64-bit ints and NaN/Infinity as strings. What is not
 * a finite number is kept as its text (JSON has no NaN to answer with).
 */
function jsonNumber(value: unknown, where: string): number | string {
  if (typeof value !== 'number' && typeof value !== 'string') throw new BadRequest(`${where}: expected a number or a string`);
  const n = Number(value);
  return Number.isFinite(n) ? n : String(value);
}

/** An AnyValue, descending into arrays and kvlists only while the limiter allows. */
function jsonAnyValue(value: unknown, where: string, limiter: SpanLimiter, depth: number): DecodedValue {
  const v = optionalObjectAt(value, where);
  if (v === undefined) return '';
  if (typeof v.stringValue === 'string') return v.stringValue;
  if (typeof v.boolValue === 'boolean') return v.boolValue;
  if (v.intValue !== undefined && v.intValue !== null) return jsonNumber(v.intValue, `${where}.intValue`);
  if (v.doubleValue !== undefined && v.doubleValue !== null) return jsonNumber(v.doubleValue, `${where}.doubleValue`);
  if (typeof v.bytesValue === 'string') return v.bytesValue;
  const array = optionalObjectAt(v.arrayValue, `${where}.arrayValue`);
  const kvlist = optionalObjectAt(v.kvlistValue, `${where}.kvlistValue`);
  if (array === undefined && kvlist === undefined) return '';
  if (!limiter.canDescend(depth)) return limiter.tooDeep();
  if (array !== undefined) return arrayAt(array.values, `${where}.arrayValue.values`).map((item, i) => jsonAnyValue(item, `${where}.arrayValue.values[${i}]`, limiter, depth + 1));
  const out: { [key: string]: DecodedValue } = Object.create(null) as { [key: string]: DecodedValue };
  for (const [key, item] of jsonKeyValues(kvlist!.values, `${where}.kvlistValue.values`, limiter, depth + 1)) out[key] = item;
  return out;
}

function jsonKeyValues(list: unknown, where: string, limiter: SpanLimiter, depth = 0): Array<[string, DecodedValue]> {
  return arrayAt(list, where).map((item, i) => {
    const kv = objectAt(item, `${where}[${i}]`);
    if (typeof kv.key !== 'string') throw new BadRequest(`${where}[${i}]: attribute without a string key`);
    return [kv.key, jsonAnyValue(kv.value, `${where}[${i}].value`, limiter, depth)];
  });
}

function jsonSpan(raw: unknown, where: string, service: string, limiter: SpanLimiter): StoredSpan {
  const s = objectAt(raw, where);
  const parent = s.parentSpanId;
  const status = optionalObjectAt(s.status, `${where}.status`) ?? {};
  const message = stringAt(status.message, `${where}.status.message`);
  return limiter.span({
    traceId: jsonId(s.traceId, 'trace', where),
    spanId: jsonId(s.spanId, 'span', where),
    parentSpanId: parent === undefined || parent === null || parent === '' ? null : jsonId(parent, 'span', where),
    name: stringAt(s.name, `${where}.name`),
    kind: kindOf(s.kind),
    service,
    startTime: jsonNanos(s.startTimeUnixNano, `${where}.startTimeUnixNano`),
    endTime: jsonNanos(s.endTimeUnixNano, `${where}.endTimeUnixNano`),
    attributes: jsonKeyValues(s.attributes, `${where}.attributes`, limiter),
    events: arrayAt(s.events, `${where}.events`).map((e, n) => {
      const ev = objectAt(e, `${where}.events[${n}]`);
      return { name: stringAt(ev.name, `${where}.events[${n}].name`), time: jsonNanos(ev.timeUnixNano, `${where}.events[${n}].timeUnixNano`), attributes: jsonKeyValues(ev.attributes, `${where}.events[${n}].attributes`, limiter) };
    }),
    status: message === '' ? { code: statusCodeOf(status.code) } : { code: statusCodeOf(status.code), message },
  });
}

/** Reads an OTLP/JSON ExportTraceServiceRequest within the limiter's limits; BadRequest for anything malformed. */
export function readOtlpJson(body: unknown, limiter: SpanLimiter): StoredSpan[] {
  const request = objectAt(body, 'OTLP/JSON body');
  const spans: StoredSpan[] = [];
  arrayAt(request.resourceSpans, 'resourceSpans').forEach((rs, i) => {
    const r = objectAt(rs, `resourceSpans[${i}]`);
    const resource = optionalObjectAt(r.resource, `resourceSpans[${i}].resource`);
    let service = 'unknown_service';
    for (const [key, value] of jsonKeyValues(resource?.attributes, `resourceSpans[${i}].resource.attributes`, limiter)) {
      if (key === 'service.name' && typeof value === 'string') service = value;
    }
    arrayAt(r.scopeSpans ?? r.instrumentationLibrarySpans, `resourceSpans[${i}].scopeSpans`).forEach((ss, j) => {
      const scope = objectAt(ss, `resourceSpans[${i}].scopeSpans[${j}]`);
      arrayAt(scope.spans, `resourceSpans[${i}].scopeSpans[${j}].spans`).forEach((raw, k) => {
        spans.push(jsonSpan(raw, `resourceSpans[${i}].scopeSpans[${j}].spans[${k}]`, service, limiter));
      });
    });
  });
  return spans;
}

/**
 * Parses an OTLP/JSON ExportTraceServiceRequest (already `JSON.parse`d) into stored spans,
 * within `limits`. Throws BadRequest with a message for anything malformed.
 *
 * @example
 * const spans = spansFromOtlpJson(JSON.parse(body));
 */
export function spansFromOtlpJson(body: unknown, limits?: ViewerLimits): StoredSpan[] {
  return readOtlpJson(body, new SpanLimiter(resolveViewerLimits(limits, 'limits')));
}

// ---------- OTLP/protobuf ----------

/** An AnyValue, descending into arrays and kvlists only while the limiter allows. */
function protoAnyValue(bytes: Uint8Array, limiter: SpanLimiter, depth: number): DecodedValue {
  let out: DecodedValue = '';
  readFields(bytes, (field, v) => {
    if (field === 1) out = stringOf(v, 'AnyValue.string_value');
    else if (field === 2) out = numberOf(v, 'AnyValue.bool_value') !== 0;
    else if (field === 3) out = numberOf(v, 'AnyValue.int_value');
    else if (field === 4) {
      if (v.kind !== 'fixed64') throw new BadRequest('AnyValue.double_value: expected fixed64');
      const double = v.value.getFloat64(0, true);
      out = Number.isFinite(double) ? double : String(double); // JSON has no NaN to answer with
    } else if (field === 5 || field === 6) {
      const container = bytesOf(v, field === 5 ? 'AnyValue.array_value' : 'AnyValue.kvlist_value');
      if (!limiter.canDescend(depth)) {
        out = limiter.tooDeep();
        return;
      }
      if (field === 5) {
        const values: DecodedValue[] = [];
        readFields(container, (f, item) => {
          if (f === 1) values.push(protoAnyValue(bytesOf(item, 'ArrayValue.values'), limiter, depth + 1));
        });
        out = values;
      } else {
        const entries: { [key: string]: DecodedValue } = Object.create(null) as { [key: string]: DecodedValue };
        for (const [key, item] of protoKeyValues(container, 1, limiter, depth + 1)) entries[key] = item;
        out = entries;
      }
    } else if (field === 7) out = Buffer.from(bytesOf(v, 'AnyValue.bytes_value')).toString('base64');
  });
  return out;
}

function protoKeyValue(bytes: Uint8Array, limiter: SpanLimiter, depth: number): [string, DecodedValue] {
  let key = '';
  let value: DecodedValue = '';
  readFields(bytes, (field, v) => {
    if (field === 1) key = stringOf(v, 'KeyValue.key');
    else if (field === 2) value = protoAnyValue(bytesOf(v, 'KeyValue.value'), limiter, depth);
  });
  return [key, value];
}

/** The KeyValues in repeated field `field` of a message. */
function protoKeyValues(bytes: Uint8Array, field: number, limiter: SpanLimiter, depth = 0): Array<[string, DecodedValue]> {
  const out: Array<[string, DecodedValue]> = [];
  readFields(bytes, (f, v) => {
    if (f === field) out.push(protoKeyValue(bytesOf(v, 'KeyValue'), limiter, depth));
  });
  return out;
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

function protoSpan(bytes: Uint8Array, service: string, limiter: SpanLimiter): StoredSpan {
  let traceId = '';
  let spanId = '';
  let parentSpanId: string | null = null;
  let name = '';
  let kind: StoredSpan['kind'] = 'INTERNAL';
  let startTime = 0;
  let endTime = 0;
  const attributes: Array<[string, DecodedValue]> = [];
  const events: SpanDraft['events'][number][] = [];
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
        attributes.push(protoKeyValue(bytesOf(v, 'Span.attributes'), limiter, 0));
        break;
      case 11: {
        const event = { name: '', time: 0, attributes: [] as Array<[string, DecodedValue]> };
        readFields(bytesOf(v, 'Span.events'), (f, ev) => {
          if (f === 1) event.time = nanosToMillis(ev, 'Event.time_unix_nano');
          else if (f === 2) event.name = stringOf(ev, 'Event.name');
          else if (f === 3) event.attributes.push(protoKeyValue(bytesOf(ev, 'Event.attributes'), limiter, 0));
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
  return limiter.span({ traceId, spanId, parentSpanId, name, kind, service, startTime, endTime, attributes, events, status });
}

/** Reads an OTLP/protobuf ExportTraceServiceRequest within the limiter's limits; BadRequest for anything malformed. */
export function readOtlpProtobuf(body: Uint8Array, limiter: SpanLimiter): StoredSpan[] {
  const spans: StoredSpan[] = [];
  readFields(body, (field, rs) => {
    if (field !== 1) return;
    let service = 'unknown_service';
    const scopeSpans: Uint8Array[] = [];
    readFields(bytesOf(rs, 'ResourceSpans'), (f, v: WireValue) => {
      if (f === 1) {
        for (const [key, value] of protoKeyValues(bytesOf(v, 'Resource'), 1, limiter)) {
          if (key === 'service.name' && typeof value === 'string') service = value;
        }
      } else if (f === 2) scopeSpans.push(bytesOf(v, 'ScopeSpans'));
    });
    for (const ss of scopeSpans) {
      readFields(ss, (f, v) => {
        if (f === 2) spans.push(protoSpan(bytesOf(v, 'Span'), service, limiter));
      });
    }
  });
  return spans;
}

/**
 * Parses an OTLP/protobuf ExportTraceServiceRequest into stored spans, within `limits`.
 * Throws BadRequest with a message for anything malformed.
 *
 * @example
 * const spans = spansFromOtlpProtobuf(body);
 */
export function spansFromOtlpProtobuf(body: Uint8Array, limits?: ViewerLimits): StoredSpan[] {
  return readOtlpProtobuf(body, new SpanLimiter(resolveViewerLimits(limits, 'limits')));
}
