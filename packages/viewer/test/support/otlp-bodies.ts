// Builds OTLP request bodies by hand, in both encodings, for tests that need shapes no exporter
// sends: AnyValues nested to any depth, mixed kinds, hostile strings.

/** An attribute value to encode: OTLP's AnyValue. */
export type AnyValue = { s: string } | { i: number } | { d: number } | { b: boolean } | { arr: AnyValue[] } | { kv: Array<[string, AnyValue]> };

/** A span to encode. */
export interface BodySpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes: Array<[string, AnyValue]>;
  events?: Array<{ name: string; attributes: Array<[string, AnyValue]> }>;
}

// ---------- OTLP/JSON ----------

/** An AnyValue in OTLP/JSON. */
export function jsonAnyValue(value: AnyValue): unknown {
  if ('s' in value) return { stringValue: value.s };
  if ('i' in value) return { intValue: String(value.i) };
  if ('d' in value) return { doubleValue: value.d };
  if ('b' in value) return { boolValue: value.b };
  if ('arr' in value) return { arrayValue: { values: value.arr.map(jsonAnyValue) } };
  return { kvlistValue: { values: value.kv.map(([key, v]) => ({ key, value: jsonAnyValue(v) })) } };
}

const jsonAttributes = (list: Array<[string, AnyValue]>): unknown[] => list.map(([key, value]) => ({ key, value: jsonAnyValue(value) }));

/** An ExportTraceServiceRequest in OTLP/JSON, as text. */
export function otlpJson(service: string, spans: BodySpan[]): string {
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
        scopeSpans: [
          {
            scope: { name: 'test' },
            spans: spans.map((s) => ({
              traceId: s.traceId,
              spanId: s.spanId,
              parentSpanId: s.parentSpanId ?? '',
              name: s.name,
              kind: 1,
              startTimeUnixNano: '1700000000000000000',
              endTimeUnixNano: '1700000000005000000',
              attributes: jsonAttributes(s.attributes),
              events: (s.events ?? []).map((e) => ({ name: e.name, timeUnixNano: '1700000000001000000', attributes: jsonAttributes(e.attributes) })),
              status: {},
            })),
          },
        ],
      },
    ],
  });
}

// ---------- OTLP/protobuf ----------

function varint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v > 0x7f) {
    out.push((v % 128) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

function field(number: number, bytes: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([...varint((number << 3) | 2), ...varint(bytes.length)]), bytes]);
}

function varintField(number: number, value: number): Buffer {
  return Buffer.from([...varint(number << 3), ...varint(value)]);
}

function fixed64Field(number: number, value: number): Buffer {
  const b = Buffer.alloc(9);
  b[0] = (number << 3) | 1;
  b.writeBigUInt64LE(BigInt(value), 1);
  return b;
}

/** An AnyValue in protobuf. */
export function protoAnyValue(value: AnyValue): Buffer {
  if ('s' in value) return field(1, Buffer.from(value.s));
  if ('b' in value) return varintField(2, value.b ? 1 : 0);
  if ('i' in value) return varintField(3, value.i);
  if ('d' in value) {
    const b = Buffer.alloc(9);
    b[0] = (4 << 3) | 1;
    b.writeDoubleLE(value.d, 1);
    return b;
  }
  if ('arr' in value) return field(5, Buffer.concat(value.arr.map((v) => field(1, protoAnyValue(v)))));
  return field(6, Buffer.concat(value.kv.map(([k, v]) => field(1, protoKeyValue(k, v)))));
}

function protoKeyValue(key: string, value: AnyValue): Buffer {
  return Buffer.concat([field(1, Buffer.from(key)), field(2, protoAnyValue(value))]);
}

/** An ExportTraceServiceRequest in protobuf. */
export function otlpProtobuf(service: string, spans: BodySpan[]): Buffer {
  const resource = field(1, field(1, protoKeyValue('service.name', { s: service })));
  const encoded = spans.map((s) =>
    field(
      2,
      Buffer.concat([
        field(1, Buffer.from(s.traceId, 'hex')),
        field(2, Buffer.from(s.spanId, 'hex')),
        ...(s.parentSpanId === undefined ? [] : [field(4, Buffer.from(s.parentSpanId, 'hex'))]),
        field(5, Buffer.from(s.name)),
        varintField(6, 1),
        fixed64Field(7, 1_700_000_000_000_000),
        fixed64Field(8, 1_700_000_000_005_000),
        ...s.attributes.map(([k, v]) => field(9, protoKeyValue(k, v))),
        ...(s.events ?? []).map((e) => field(11, Buffer.concat([fixed64Field(1, 1_700_000_000_001_000), field(2, Buffer.from(e.name)), ...e.attributes.map(([k, v]) => field(3, protoKeyValue(k, v)))]))),
      ]),
    ),
  );
  return field(1, Buffer.concat([resource, field(2, Buffer.concat(encoded))]));
}

/**
 * One span whose attribute `deep` is an arrayValue nested `levels` deep, in protobuf, built in
 * linear time (nesting by concatenation would copy quadratically).
 */
export function deeplyNestedProtobuf(traceId: string, spanId: string, levels: number): Buffer {
  const leaf = protoAnyValue({ s: 'bottom' });
  // Sizes from the inside out: AnyValue_k = tag(5) len(ArrayValue_k) ArrayValue_k, ArrayValue_k = tag(1) len(AnyValue_{k-1}) AnyValue_{k-1}.
  const prefixes: number[][] = [];
  let inner = leaf.length;
  for (let k = 0; k < levels; k++) {
    const arrayValue = [0x0a, ...varint(inner)];
    const arrayLength = arrayValue.length + inner;
    const anyValue = [0x2a, ...varint(arrayLength)];
    prefixes.push([...anyValue, ...arrayValue]);
    inner = anyValue.length + arrayLength;
  }
  const nested = Buffer.alloc(inner);
  let pos = 0;
  for (let k = prefixes.length - 1; k >= 0; k--) {
    for (const byte of prefixes[k]!) nested[pos++] = byte;
  }
  leaf.copy(nested, pos);
  const keyValue = Buffer.concat([field(1, Buffer.from('deep')), field(2, nested)]);
  const span = Buffer.concat([field(1, Buffer.from(traceId, 'hex')), field(2, Buffer.from(spanId, 'hex')), field(5, Buffer.from('deep')), fixed64Field(7, 1), fixed64Field(8, 2), field(9, keyValue)]);
  return field(1, field(2, field(2, span)));
}
