import type { Attributes } from '../attributes';
import { invalidOption } from '../errors';

/** Headers that carry credentials: never recorded, whatever the options say. */
export const NEVER_RECORDED_HEADERS: ReadonlyArray<string> = Object.freeze(['authorization', 'proxy-authorization', 'cookie', 'set-cookie']);

/** Options that turn on header recording, shared by server and client tracing. */
export interface HeaderRecordingOptions {
  /**
   * Headers to record, by name (any case), as OpenTelemetry's `http.request.header.<name>` and
   * `http.response.header.<name>` attributes (string arrays). Default: none. Naming
   * `Authorization`, `Proxy-Authorization`, `Cookie` or `Set-Cookie` throws: they are never
   * recorded.
   */
  recordHeaders?: {
    request?: ReadonlyArray<string>;
    response?: ReadonlyArray<string>;
  };
}

/** Reads one header by lowercase name from whatever holds them (Node's objects, axios's). */
export type HeaderLookup = (name: string) => unknown;

/** The attributes to record for the headers of one message. */
export type HeaderRecorder = (read: HeaderLookup) => Attributes;

/** What to record of requests and of responses (each `undefined` when nothing). */
export interface CompiledHeaderRecording {
  readonly request: HeaderRecorder | undefined;
  readonly response: HeaderRecorder | undefined;
}

// RFC 9110 token characters: anything else cannot be a header name.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9a-z-]+$/i;

function values(value: unknown): string[] | undefined {
  if (typeof value === 'string') return [value];
  if (typeof value === 'number') return [String(value)];
  if (Array.isArray(value)) {
    const strings = value.filter((v): v is string => typeof v === 'string');
    return strings.length === 0 ? undefined : strings;
  }
  return undefined;
}

function compileList(list: unknown, option: string, prefix: string): HeaderRecorder | undefined {
  if (list === undefined) return undefined;
  if (!Array.isArray(list)) throw invalidOption(option, 'an array of header names', list);
  const names = (list as unknown[]).map((name, i) => {
    if (typeof name !== 'string' || !HEADER_NAME.test(name)) throw invalidOption(`${option}[${i}]`, 'a header name', name);
    const lower = name.toLowerCase();
    if (NEVER_RECORDED_HEADERS.includes(lower)) {
      throw invalidOption(`${option}[${i}]`, `a header name other than ${NEVER_RECORDED_HEADERS.join(', ')} (those carry credentials and are never recorded)`, name);
    }
    return lower;
  });
  if (names.length === 0) return undefined;
  const keys = names.map((name) => `${prefix}${name}`);
  return (read) => {
    const attributes: Attributes = {};
    names.forEach((name, i) => {
      const recorded = values(read(name));
      if (recorded !== undefined) attributes[keys[i]!] = recorded;
    });
    return attributes;
  };
}

/**
 * Compiles `recordHeaders` of an instrumentation named `name` (used in errors). Throws a
 * TypeError naming the option for anything invalid, including a credential header.
 */
export function compileHeaderRecording(options: HeaderRecordingOptions, name: string): CompiledHeaderRecording {
  const record = options.recordHeaders;
  if (record === undefined) return { request: undefined, response: undefined };
  if (record === null || typeof record !== 'object' || Array.isArray(record)) {
    throw invalidOption(`${name}.recordHeaders`, 'an object { request?: string[], response?: string[] }', record);
  }
  for (const key of Object.keys(record)) {
    if (key !== 'request' && key !== 'response') throw invalidOption(`${name}.recordHeaders.${key}`, 'request or response', key);
  }
  return {
    request: compileList(record.request, `${name}.recordHeaders.request`, 'http.request.header.'),
    response: compileList(record.response, `${name}.recordHeaders.response`, 'http.response.header.'),
  };
}
