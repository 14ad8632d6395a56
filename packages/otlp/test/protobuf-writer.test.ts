import { ProtobufWriter } from '../src/protobuf-writer';
import protobuf from 'protobufjs';

describe('ProtobufWriter', () => {
  it('writes nested messages of any length, shifting bodies past 127 bytes correctly', () => {
    const schema = protobuf.parse('syntax = "proto3"; message M { string s = 1; M child = 2; repeated M items = 3; }').root.lookupType('M');
    for (const length of [0, 1, 127, 128, 16_383, 16_384, 200_000]) {
      const w = new ProtobufWriter(8);
      const child = w.begin(2);
      w.string(1, 'x'.repeat(length));
      const grandchild = w.begin(3);
      w.string(1, 'é€😀'.repeat(3));
      w.end(grandchild);
      w.end(child);
      const decoded = schema.toObject(schema.decode(w.finish())) as { child: { s?: string; items: Array<{ s: string }> } };
      expect(decoded.child.s ?? '').toHaveLength(length);
      expect(decoded.child.items[0]!.s).toBe('é€😀'.repeat(3));
    }
  });

  it('encodes varints, negative int64, doubles and fixed64 halves exactly', () => {
    const schema = protobuf.parse('syntax = "proto3"; message N { uint64 u = 1; int64 i = 2; double d = 3; fixed64 f = 4; }').root.lookupType('N');
    const w = new ProtobufWriter();
    w.uint(1, Number.MAX_SAFE_INTEGER);
    w.int64(2, -Number.MAX_SAFE_INTEGER);
    w.double(3, -0.1);
    w.fixed64(4, 0xffffffff, 0x12345678);
    const decoded = schema.toObject(schema.decode(w.finish()), { longs: String }) as Record<string, unknown>;
    expect(decoded).toEqual({ u: String(Number.MAX_SAFE_INTEGER), i: String(-Number.MAX_SAFE_INTEGER), d: -0.1, f: String(0x12345678ffffffffn) });
  });
});
