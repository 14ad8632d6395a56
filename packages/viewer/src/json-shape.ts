import { BadRequest } from './stored-span';

// Readers for parsed JSON whose shape nobody checked: each returns the shape asked for or
// throws BadRequest naming where the body was wrong, so a parseable but malformed body is a 400
// and never a TypeError (500) halfway through. `null` means "not set", as in proto3 JSON.

/** A JSON object (not null, not an array), or BadRequest. */
export function objectAt(value: unknown, where: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new BadRequest(`${where}: expected an object`);
  return value as Record<string, unknown>;
}

/** An optional object: `undefined` when absent or null. */
export function optionalObjectAt(value: unknown, where: string): Record<string, unknown> | undefined {
  return value === undefined || value === null ? undefined : objectAt(value, where);
}

/** An optional array: empty when absent or null. */
export function arrayAt(value: unknown, where: string): readonly unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new BadRequest(`${where}: expected an array`);
  return value;
}

/** An optional string: `fallback` when absent or null. */
export function stringAt(value: unknown, where: string, fallback = ''): string {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'string') throw new BadRequest(`${where}: expected a string`);
  return value;
}
