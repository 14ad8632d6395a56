import { invalidOption } from '../errors';

/**
 * Query parameters whose values are replaced by `REDACTED` when query strings are recorded
 * (`recordQuery: true`), unless `redactQueryParams` says otherwise. Matched against the decoded
 * parameter name, ignoring case; `*` stands for any run of characters. Extend it rather than
 * replace it: `redactQueryParams: [...DEFAULT_REDACTED_QUERY_PARAMS, 'session']`.
 */
export const DEFAULT_REDACTED_QUERY_PARAMS: ReadonlyArray<string> = Object.freeze([
  '*token*',
  '*key*',
  '*password*',
  '*passwd*',
  '*secret*',
  '*signature*',
  'sig',
  '*credential*',
  'x-amz-*',
  'x-goog-*',
]);

/** The value recorded in place of a sensitive parameter's (OpenTelemetry's convention). */
export const REDACTED = 'REDACTED';

/** Options that turn on query-string recording, shared by server and client tracing. */
export interface QueryRecordingOptions {
  /**
   * Record the query string: on server spans as `url.query`, on client spans inside `url.full`.
   * Default false: URLs are recorded without it. The values of parameters named in
   * `redactQueryParams` are replaced by `REDACTED`.
   */
  recordQuery?: boolean;
  /**
   * Names of the query parameters whose values are redacted when `recordQuery` is on: strings
   * (case-insensitive, `*` matches any run of characters) or RegExps tested on the decoded name.
   * Replaces the default, {@link DEFAULT_REDACTED_QUERY_PARAMS}.
   */
  redactQueryParams?: ReadonlyArray<string | RegExp>;
}

/** Turns a raw query string (without `?`) into the string to record. */
export type QueryRedactor = (query: string) => string;

// A `*`-only glob as its literal parts; matched with indexOf, so no pattern can backtrack.
function globMatcher(glob: string): (name: string) => boolean {
  const parts = glob.toLowerCase().split('*');
  if (parts.length === 1) return (name) => name.toLowerCase() === parts[0];
  const first = parts[0]!;
  const last = parts[parts.length - 1]!;
  const middle = parts.slice(1, -1);
  return (original) => {
    const name = original.toLowerCase();
    if (name.length < first.length + last.length || !name.startsWith(first) || !name.endsWith(last)) return false;
    let at = first.length;
    const end = name.length - last.length;
    for (const part of middle) {
      const found = name.indexOf(part, at);
      if (found === -1 || found + part.length > end) return false;
      at = found + part.length;
    }
    return true;
  };
}

function decodeName(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    // A malformed escape: match on the raw text rather than fail.
    return raw;
  }
}

/**
 * Compiles the query options of an instrumentation named `name` (used in errors). Returns
 * `undefined` when query strings are not recorded (the default). Throws a TypeError naming the
 * option for anything invalid.
 */
export function compileQueryRecording(options: QueryRecordingOptions, name: string): QueryRedactor | undefined {
  const { recordQuery, redactQueryParams } = options;
  if (recordQuery !== undefined && typeof recordQuery !== 'boolean') throw invalidOption(`${name}.recordQuery`, 'true or false', recordQuery);
  if (redactQueryParams !== undefined && !Array.isArray(redactQueryParams)) {
    throw invalidOption(`${name}.redactQueryParams`, 'an array of parameter names (strings, * as wildcard) or RegExps', redactQueryParams);
  }
  const rules = (redactQueryParams ?? DEFAULT_REDACTED_QUERY_PARAMS).map((rule, i) => {
    if (typeof rule === 'string') return globMatcher(rule);
    if (rule instanceof RegExp) {
      return (decoded: string): boolean => {
        rule.lastIndex = 0;
        return rule.test(decoded);
      };
    }
    throw invalidOption(`${name}.redactQueryParams[${i}]`, 'a parameter name (string, * as wildcard) or a RegExp', rule);
  });
  if (recordQuery !== true) return undefined;
  const sensitive = (rawName: string): boolean => {
    const decoded = decodeName(rawName);
    return rules.some((matches) => matches(decoded));
  };
  return (query) =>
    query
      .split('&')
      .map((pair) => {
        const eq = pair.indexOf('=');
        const rawName = eq === -1 ? pair : pair.slice(0, eq);
        return eq !== -1 && sensitive(rawName) ? `${rawName}=${REDACTED}` : pair;
      })
      .join('&');
}
