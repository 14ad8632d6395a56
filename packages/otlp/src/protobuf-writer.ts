// A small protobuf writer for the fixed OTLP schema: one growable buffer, nested messages
// written in place (a 1-byte length is reserved and the body shifted only when it turns out
// longer than 127 bytes), ids written from hex without intermediate buffers.
// Wire types (protobuf encoding spec): 0 varint, 1 64-bit, 2 length-delimited, 5 32-bit.
const VARINT = 0;
const FIXED64 = 1;
const LENGTH_DELIMITED = 2;
const FIXED32 = 5;

function varintSize(value: number): number {
  let size = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 128);
    size++;
  }
  return size;
}

function hexValue(code: number): number {
  return code <= 0x39 ? code - 0x30 : (code | 0x20) - 0x57;
}

/** Writes protobuf fields into one growable buffer. */
export class ProtobufWriter {
  private buffer: Buffer;
  private view: DataView;
  private pos = 0;

  /** @param initialSize - starting capacity in bytes */
  constructor(initialSize = 4096) {
    this.buffer = Buffer.allocUnsafe(initialSize);
    this.view = new DataView(this.buffer.buffer, this.buffer.byteOffset, this.buffer.byteLength);
  }

  private ensure(extra: number): void {
    if (this.pos + extra <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < this.pos + extra) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buffer.copy(next, 0, 0, this.pos);
    this.buffer = next;
    this.view = new DataView(next.buffer, next.byteOffset, next.byteLength);
  }

  private rawVarint(value: number): void {
    // Unsigned values up to 2^53: division keeps exactness past 32 bits.
    this.ensure(10);
    while (value >= 0x80) {
      this.buffer[this.pos++] = (value % 128) | 0x80;
      value = Math.floor(value / 128);
    }
    this.buffer[this.pos++] = value;
  }

  private tag(field: number, wireType: number): void {
    this.rawVarint(field * 8 + wireType);
  }

  /** A varint field (uint32, uint64 below 2^53, enums, non-negative int64). Zero is skipped, as proto3 does. */
  uint(field: number, value: number): void {
    if (value === 0) return;
    this.tag(field, VARINT);
    this.rawVarint(value);
  }

  /** A varint field written even when zero: a oneof member is present by its tag alone. */
  uintAlways(field: number, value: number): void {
    this.tag(field, VARINT);
    this.rawVarint(value);
  }

  /** An int64 field, negative values as 10-byte two's complement. */
  int64(field: number, value: number): void {
    if (value === 0) return;
    if (value > 0) return this.uint(field, value);
    this.tag(field, VARINT);
    // Two's complement of a negative safe integer over 64 bits.
    let low = Number(BigInt.asUintN(64, BigInt(value)) & 0xffffffffn);
    let high = Number(BigInt.asUintN(64, BigInt(value)) >> 32n);
    this.ensure(10);
    for (let i = 0; i < 9; i++) {
      this.buffer[this.pos++] = (low & 0x7f) | 0x80;
      low = (low >>> 7) | ((high & 0x7f) << 25);
      high >>>= 7;
    }
    this.buffer[this.pos++] = low & 0x01;
  }

  /** A double field (written even when zero: inside a oneof, presence matters). */
  double(field: number, value: number): void {
    this.tag(field, FIXED64);
    this.ensure(8);
    this.view.setFloat64(this.pos, value, true);
    this.pos += 8;
  }

  /** A fixed32 field (zero skipped). */
  fixed32(field: number, value: number): void {
    if (value === 0) return;
    this.tag(field, FIXED32);
    this.ensure(4);
    this.view.setUint32(this.pos, value >>> 0, true);
    this.pos += 4;
  }

  /** A fixed64 field from two 32-bit halves (zero skipped). */
  fixed64(field: number, low: number, high: number): void {
    if (low === 0 && high === 0) return;
    this.tag(field, FIXED64);
    this.ensure(8);
    this.view.setUint32(this.pos, low >>> 0, true);
    this.view.setUint32(this.pos + 4, high >>> 0, true);
    this.pos += 8;
  }

  /** A string field (empty skipped unless `always`, e.g. inside a oneof). */
  string(field: number, value: string, always = false): void {
    if (value.length === 0 && !always) return;
    this.tag(field, LENGTH_DELIMITED);
    // UTF-8 takes at most 3 bytes per UTF-16 unit.
    this.ensure(value.length * 3 + 5);
    const start = this.fork();
    this.pos += this.utf8(value);
    this.join(start);
  }

  /**
   * Writes `value` as UTF-8 at the current position (capacity already ensured). Short ASCII
   * strings (keys, names, routes: most of a span) are copied in JS, which measured faster than
   * a call into native Buffer#write; anything else goes to Buffer#write.
   */
  private utf8(value: string): number {
    if (value.length <= 64) {
      const buffer = this.buffer;
      const at = this.pos;
      let i = 0;
      for (; i < value.length; i++) {
        const code = value.charCodeAt(i);
        if (code >= 0x80) break;
        buffer[at + i] = code;
      }
      if (i === value.length) return i;
    }
    return this.buffer.write(value, this.pos, 'utf8');
  }

  /** A bytes field from lowercase or uppercase hex (ids). Empty or odd-length hex is skipped. */
  hexBytes(field: number, hex: string): void {
    if (hex.length === 0 || hex.length % 2 !== 0) return;
    this.tag(field, LENGTH_DELIMITED);
    const length = hex.length / 2;
    this.rawVarint(length);
    this.ensure(length);
    for (let i = 0; i < length; i++) {
      this.buffer[this.pos++] = (hexValue(hex.charCodeAt(2 * i)) << 4) | hexValue(hex.charCodeAt(2 * i + 1));
    }
  }

  /** Starts an embedded message in `field`; pair with {@link ProtobufWriter.end}. */
  begin(field: number): number {
    this.tag(field, LENGTH_DELIMITED);
    return this.fork();
  }

  /** Ends the embedded message started at `start` (from `begin`). */
  end(start: number): void {
    this.join(start);
  }

  private fork(): number {
    this.ensure(1);
    this.buffer[this.pos++] = 0; // length placeholder: one byte, grown in join() if needed
    return this.pos;
  }

  private join(bodyStart: number): void {
    const length = this.pos - bodyStart;
    const size = varintSize(length);
    if (size > 1) {
      this.ensure(size - 1);
      this.buffer.copyWithin(bodyStart + size - 1, bodyStart, this.pos);
      this.pos += size - 1;
    }
    let value = length;
    let at = bodyStart - 1;
    while (value >= 0x80) {
      this.buffer[at++] = (value % 128) | 0x80;
      value = Math.floor(value / 128);
    }
    this.buffer[at] = value;
  }

  /** The bytes written so far (a copy, so the writer's buffer can be reused or dropped). */
  finish(): Uint8Array {
    return Uint8Array.prototype.slice.call(this.buffer, 0, this.pos);
  }
}
