// The JSON API as the UI calls it. The answers' types are the server's own (src/api-types.ts,
// through this project's reference to the package): the two cannot drift apart.
import type { StoredSpan, StoredValue } from '../src/api-types';

export type * from '../src/api-types';
/** A span as the API returns it. */
export type Span = StoredSpan;
/** An attribute value as the API returns it. */
export type AttributeValue = StoredValue;

export class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export async function getJson<T>(path: string): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, { headers: { accept: 'application/json' } });
  } catch {
    throw new ApiError(0, 'the viewer is not reachable (is it still running?)');
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const message = isRecord(body) && typeof body['error'] === 'string' ? body['error'] : `HTTP ${response.status}`;
    throw new ApiError(response.status, message);
  }
  if (body === undefined) throw new ApiError(response.status, 'the response was not JSON');
  return body as T;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

// ---------------------------------------------------------------------------------------------
// DOM helpers
