import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { toOtlpJson, toOtlpProtobuf } from '../src';
import { decodeOtlpRequest as decodeRequest } from '@tracewell/conformance';
import { equivalentSpans, PARENT_ID, SCOPE, TRACE_ID } from './support/otel-spans';

// Independent checks of what goes on the wire: our bytes decoded by protobufjs with the OTLP
// schema, and compared field by field with what OpenTelemetry JS's own serializers (used by
// @opentelemetry/exporter-trace-otlp-proto and -http) produce for the same span.

/** OTLP/JSON in a canonical form: 64-bit integers as strings, zero/empty defaults dropped. */
function canonicalJson(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => canonicalJson(v));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const c = canonicalJson(v, k);
      if (c === undefined || c === '' || (c === 0 && k !== 'intValue' && k !== 'doubleValue') || (Array.isArray(c) && c.length === 0)) continue;
      out[k] = c;
    }
    return out;
  }
  if (/UnixNano$|^intValue$/.test(key) && (typeof value === 'number' || typeof value === 'string')) return String(value);
  return value;
}

describe('OTLP wire compatibility', () => {
  const { otel, ours } = equivalentSpans();

  it('protobuf: our request decodes with the OTLP schema to the expected values', () => {
    const decoded = decodeRequest(toOtlpProtobuf([ours], SCOPE)) as { resourceSpans: Array<{ scopeSpans: Array<{ scope: unknown; spans: Array<Record<string, unknown>> }> }> };
    const span = decoded.resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    expect(decoded.resourceSpans[0]!.scopeSpans[0]!.scope).toEqual({ name: 'interop', version: '1.2.3', attributes: [] });
    expect(span).toMatchObject({
      traceId: TRACE_ID,
      parentSpanId: PARENT_ID,
      traceState: 'rojo=00f067aa0ba902b7',
      name: 'GET /users/:id',
      kind: 2,
      startTimeUnixNano: '1700000000123456000',
      endTimeUnixNano: '1700000000581789000',
      flags: 0x301,
      status: { code: 2, message: 'boom' },
    });
    expect(span.events).toEqual([{ timeUnixNano: '1700000000200500000', name: 'exception', attributes: [{ key: 'exception.message', value: { stringValue: 'boom' } }] }]);
    const attributes = Object.fromEntries((span.attributes as Array<{ key: string; value: unknown }>).map((kv) => [kv.key, kv.value]));
    expect(attributes).toEqual({
      'http.route': { stringValue: '/users/:id' },
      'http.response.status_code': { intValue: '200' },
      ratio: { doubleValue: 0.25 },
      ok: { boolValue: true },
      off: { boolValue: false },
      zero: { intValue: '0' },
      negative: { intValue: '-42' },
      tags: { arrayValue: { values: [{ stringValue: 'a' }, { stringValue: 'b' }] } },
      counts: { arrayValue: { values: [{ intValue: '1' }, { intValue: '2' }] } },
    });
  });

  it('protobuf: identical, field by field, to OpenTelemetry JS\'s serializer for the same span', () => {
    const theirs = decodeRequest(ProtobufTraceSerializer.serializeRequest([otel])!);
    const mine = decodeRequest(toOtlpProtobuf([ours], SCOPE));
    expect(mine).toEqual(theirs);
  });

  it('JSON: the same content as OpenTelemetry JS\'s JSON serializer (ids in hex, 64-bit numbers as decimal)', () => {
    const theirs = JSON.parse(Buffer.from(JsonTraceSerializer.serializeRequest([otel])!).toString('utf8')) as unknown;
    const mine = JSON.parse(JSON.stringify(toOtlpJson([ours], SCOPE))) as unknown;
    expect(canonicalJson(mine)).toEqual(canonicalJson(theirs));
    const span = (mine as { resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<Record<string, unknown>> }> }> }).resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    expect(span.traceId).toBe(TRACE_ID);
    expect(span.startTimeUnixNano).toBe('1700000000123456000');
    expect(span.kind).toBe(2);
  });

  it('groups spans by resource, one scope each', () => {
    const other = { ...ours, resource: { attributes: { 'service.name': 'other' } } };
    const decoded = decodeRequest(toOtlpProtobuf([ours, other, ours], SCOPE)) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: unknown[] }> }> };
    expect(decoded.resourceSpans.map((r) => r.scopeSpans[0]!.spans.length)).toEqual([2, 1]);
  });
});
