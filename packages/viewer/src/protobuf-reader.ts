import { BadRequest } from './stored-span';

/** A field as read from the wire: a number (varint, fixed), or bytes (length-delimited). */
export type WireValue = { kind: 'varint'; value: bigint } | { kind: 'fixed64'; value: DataView } | { kind: 'fixed32'; value: number } | { kind: 'bytes'; value: Uint8Array };

/**
 * Walks the fields of one protobuf message, calling `visit(field, value)` for each. Strict:
 * truncated input, unsupported wire types and oversized lengths throw BadRequest, so a
 * malformed request is refused instead of half-stored.
 */
export function readFields(bytes: Uint8Array, visit: (field: number, value: WireValue) => void): void {
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (pos >= bytes.length) throw new BadRequest('protobuf: truncated varint');
      const byte = bytes[pos++]!;
      result |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) return result;
      shift += 7n;
    }
    throw new BadRequest('protobuf: varint too long');
  };
  while (pos < bytes.length) {
    const tag = varint();
    const field = Number(tag >> 3n);
    const wireType = Number(tag & 7n);
    if (wireType === 0) visit(field, { kind: 'varint', value: varint() });
    else if (wireType === 1) {
      if (pos + 8 > bytes.length) throw new BadRequest('protobuf: truncated fixed64');
      visit(field, { kind: 'fixed64', value: new DataView(bytes.buffer, bytes.byteOffset + pos, 8) });
      pos += 8;
    } else if (wireType === 2) {
      const length = Number(varint());
      if (pos + length > bytes.length) throw new BadRequest('protobuf: length past the end of the message');
      visit(field, { kind: 'bytes', value: bytes.subarray(pos, pos + length) });
      pos += length;
    } else if (wireType === 5) {
      if (pos + 4 > bytes.length) throw new BadRequest('protobuf: truncated fixed32');
      visit(field, { kind: 'fixed32', value: new DataView(bytes.buffer, bytes.byteOffset + pos, 4).getUint32(0, true) });
      pos += 4;
    } else throw new BadRequest(`protobuf: unsupported wire type ${wireType}`);
  }
}

/** The bytes of a length-delimited field, or BadRequest naming the field. */
export function bytesOf(value: WireValue, where: string): Uint8Array {
  if (value.kind !== 'bytes') throw new BadRequest(`${where}: expected a length-delimited field`);
  return value.value;
}

/** A UTF-8 string field. */
export function stringOf(value: WireValue, where: string): string {
  return Buffer.from(bytesOf(value, where)).toString('utf8');
}

/** A varint field as a number (enums, counts, bools). */
export function numberOf(value: WireValue, where: string): number {
  if (value.kind !== 'varint') throw new BadRequest(`${where}: expected a varint`);
  return Number(BigInt.asIntN(64, value.value));
}

/** A fixed64 nanosecond timestamp as epoch milliseconds. */
export function nanosToMillis(value: WireValue, where: string): number {
  if (value.kind !== 'fixed64') throw new BadRequest(`${where}: expected fixed64`);
  const nanos = value.value.getBigUint64(0, true);
  return Number(nanos / 1000n) / 1000;
}
