// ExportTraceServiceResponse.partial_success (collector/trace/v1): the receiver accepted the
// request but rejected some spans. Field 1: ExportTracePartialSuccess { rejected_spans = 1
// (int64), error_message = 2 (string) }.

/** What a receiver reported rejecting. */
export interface PartialSuccess {
  rejectedSpans: number;
  errorMessage: string;
}

class Reader {
  pos = 0;
  constructor(readonly bytes: Uint8Array) {}

  varint(): number {
    let result = 0;
    let factor = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.bytes.length) throw new Error('truncated varint');
      const byte = this.bytes[this.pos++]!;
      if (i < 8) result += (byte & 0x7f) * factor; // beyond 2^56 precision does not matter for counts
      factor *= 128;
      if (byte < 0x80) return result;
    }
    throw new Error('varint too long');
  }

  skip(wireType: number): void {
    if (wireType === 0) this.varint();
    else if (wireType === 1) this.pos += 8;
    else if (wireType === 2) this.pos += this.varint();
    else if (wireType === 5) this.pos += 4;
    else throw new Error(`unsupported wire type ${wireType}`);
  }
}

function decodePartialSuccess(bytes: Uint8Array): PartialSuccess {
  const reader = new Reader(bytes);
  const result: PartialSuccess = { rejectedSpans: 0, errorMessage: '' };
  while (reader.pos < bytes.length) {
    const tag = reader.varint();
    const field = Math.floor(tag / 8);
    const wireType = tag % 8;
    if (field === 1 && wireType === 0) result.rejectedSpans = reader.varint();
    else if (field === 2 && wireType === 2) {
      const length = reader.varint();
      result.errorMessage = Buffer.from(bytes.subarray(reader.pos, reader.pos + length)).toString('utf8');
      reader.pos += length;
    } else reader.skip(wireType);
  }
  return result;
}

/** Reads partial_success from a protobuf response body; `undefined` when absent or unreadable. */
export function partialSuccessFromProtobuf(body: Uint8Array): PartialSuccess | undefined {
  try {
    const reader = new Reader(body);
    while (reader.pos < body.length) {
      const tag = reader.varint();
      if (tag === (1 << 3) + 2) {
        const length = reader.varint();
        return decodePartialSuccess(body.subarray(reader.pos, reader.pos + length));
      }
      reader.skip(tag % 8);
    }
  } catch {
    // A malformed response body is not worth failing a successful export over.
  }
  return undefined;
}

/** Reads partialSuccess from an OTLP/JSON response body. */
export function partialSuccessFromJson(body: Uint8Array): PartialSuccess | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(body).toString('utf8')) as { partialSuccess?: { rejectedSpans?: number | string; errorMessage?: string } };
    const partial = parsed.partialSuccess;
    if (partial === undefined || partial === null) return undefined;
    return { rejectedSpans: Number(partial.rejectedSpans ?? 0) || 0, errorMessage: typeof partial.errorMessage === 'string' ? partial.errorMessage : '' };
  } catch {
    return undefined;
  }
}
