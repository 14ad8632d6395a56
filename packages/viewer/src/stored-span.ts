/** An attribute value as the viewer keeps it (OTLP's AnyValue, flattened). */
export type StoredValue = string | number | boolean | StoredValue[];

/** A span as the viewer stores it and its API returns it, whatever protocol it came by. */
export interface StoredSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  name: string;
  kind: 'SERVER' | 'CLIENT' | 'INTERNAL' | 'PRODUCER' | 'CONSUMER';
  service: string;
  /** Epoch milliseconds. */
  startTime: number;
  endTime: number;
  durationMs: number;
  attributes: Record<string, StoredValue>;
  events: Array<{ name: string; time: number; attributes: Record<string, StoredValue> }>;
  status: { code: 'UNSET' | 'OK' | 'ERROR'; message?: string };
}

/** A request body the receivers cannot use: answered with 400 and this message. */
export class BadRequest extends Error {
  /** @param message - what was wrong, for the client */
  constructor(message: string) {
    super(message);
    this.name = 'BadRequest';
  }
}

/** A stored trace id: 32 lowercase hex digits. */
export const HEX32 = /^[0-9a-f]{32}$/;
/** A stored span id: 16 lowercase hex digits. */
export const HEX16 = /^[0-9a-f]{16}$/;

/** Normalizes an id: lowercase hex of the right length (64-bit trace ids left-padded), or throws BadRequest. */
export function normalizeId(value: string, kind: 'trace' | 'span', where: string): string {
  let hex = value.toLowerCase();
  if (kind === 'trace' && hex.length === 16) hex = hex.padStart(32, '0');
  if (!(kind === 'trace' ? HEX32 : HEX16).test(hex)) throw new BadRequest(`${where}: invalid ${kind} id`);
  return hex;
}
