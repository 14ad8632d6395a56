import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import protobuf from 'protobufjs';

const root = protobuf.parse(readFileSync(join(__dirname, 'otlp-trace.proto'), 'utf8'), { keepCase: false }).root;

/** The message types of support/otlp-trace.proto, loaded by protobufjs. */
export const Request = root.lookupType('otlp.ExportTraceServiceRequest');
export const Response = root.lookupType('otlp.ExportTraceServiceResponse');

/** Decodes an ExportTraceServiceRequest into plain data: ids as hex, 64-bit numbers as strings. */
export function decodeRequest(bytes: Uint8Array): unknown {
  const message = Request.decode(bytes);
  const object = Request.toObject(message, { longs: String, bytes: String, defaults: false, arrays: true, oneofs: false });
  return hexIds(object);
}

function hexIds(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(hexIds);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] = /^(traceId|spanId|parentSpanId)$/.test(key) && typeof v === 'string' ? Buffer.from(v, 'base64').toString('hex') : hexIds(v);
  }
  return out;
}
