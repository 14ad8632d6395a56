// Splits a request-target into the parts a server span records (RFC 9112 §3.2). Node's server
// hands over the target as sent, so `req.url` may be absolute-form with credentials in it
// (`http://user:pass@host/x?token=…`): only the parts below ever reach a span or a rule.
// Every scan is a single indexOf/charCode pass: linear in the target's length, no RegExp.

/** The authority of a request-target or Host header, without userinfo. */
export interface TargetAuthority {
  /** Host name or address (an IPv6 literal without brackets); `undefined` when empty or malformed. */
  readonly host: string | undefined;
  /** The port; `undefined` when absent, empty or malformed (the scheme's default applies). */
  readonly port: number | undefined;
}

/** A request-target split as RFC 9112 §3.2 defines it. */
export interface RequestTarget {
  /**
   * The path: origin-form's absolute-path, absolute-form's path (`/` when empty), `*` for
   * asterisk-form; `undefined` for authority-form (CONNECT) and targets that are none of the four.
   */
  readonly path: string | undefined;
  /** The query, without `?`; `undefined` when absent or empty. */
  readonly query: string | undefined;
  /** Absolute-form and authority-form: the target's authority (RFC 9112 §3.2.2 puts it before Host). */
  readonly authority: TargetAuthority | undefined;
  /** Absolute-form: the scheme, lower-cased. */
  readonly scheme: string | undefined;
}

const ROOT: RequestTarget = { path: '/', query: undefined, authority: undefined, scheme: undefined };
const ASTERISK: RequestTarget = { path: '*', query: undefined, authority: undefined, scheme: undefined };
const UNRECOGNIZED: RequestTarget = { path: undefined, query: undefined, authority: undefined, scheme: undefined };
const MALFORMED: TargetAuthority = { host: undefined, port: undefined };

const SLASH = 0x2f;
const COLON = 0x3a;

function isAlpha(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
}

// scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) (RFC 3986 §3.1): the index of its ':', or -1.
function schemeEnd(target: string): number {
  if (!isAlpha(target.charCodeAt(0))) return -1;
  for (let i = 1; i < target.length; i++) {
    const c = target.charCodeAt(i);
    if (c === COLON) return i;
    if (!(isAlpha(c) || (c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || c === 0x2e)) return -1;
  }
  return -1;
}

// First index of '?' or '#' at or after `from`, or the length.
function pathEnd(target: string, from: number): number {
  for (let i = from; i < target.length; i++) {
    const c = target.charCodeAt(i);
    if (c === 0x3f || c === 0x23) return i;
  }
  return target.length;
}

function queryAt(target: string, end: number): string | undefined {
  if (target.charCodeAt(end) !== 0x3f) return undefined;
  const hash = target.indexOf('#', end + 1);
  const query = target.slice(end + 1, hash === -1 ? undefined : hash);
  return query === '' ? undefined : query;
}

function portOf(text: string, from: number, to: number): number | undefined | null {
  if (from === to) return undefined;
  if (to - from > 5) return null;
  let port = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return null;
    port = port * 10 + (c - 0x30);
  }
  return port > 65535 ? null : port;
}

/**
 * Parses `text.slice(start, end)` as `[ userinfo "@" ] host [ ":" port ]` (RFC 3986 §3.2). The
 * userinfo, up to the last `@` as WHATWG URL reads it, is dropped: it is never recorded.
 */
export function parseAuthority(text: string, start = 0, end = text.length): TargetAuthority {
  const at = end > start ? text.lastIndexOf('@', end - 1) : -1;
  const hostStart = at >= start ? at + 1 : start;
  let hostEnd: number;
  let portStart: number;
  if (text.charCodeAt(hostStart) === 0x5b) {
    const close = text.indexOf(']', hostStart);
    if (close === -1 || close >= end) return MALFORMED;
    if (close + 1 !== end && text.charCodeAt(close + 1) !== COLON) return MALFORMED;
    hostEnd = close + 1;
    portStart = close + 2;
  } else {
    const colon = text.indexOf(':', hostStart);
    hostEnd = colon === -1 || colon >= end ? end : colon;
    portStart = hostEnd + 1;
  }
  const port = portStart > end ? undefined : portOf(text, portStart, end);
  if (port === null) return MALFORMED;
  const host = text.charCodeAt(hostStart) === 0x5b ? text.slice(hostStart + 1, hostEnd - 1) : text.slice(hostStart, hostEnd);
  return { host: host === '' ? undefined : host, port };
}

/**
 * Splits a request-target (`req.url` as Node's server gives it) into path, query and, for the
 * absolute and authority forms, the authority. Never throws; userinfo is never part of the result.
 *
 * @example
 * parseRequestTarget('http://user:pass@api.example:8080/x?token=t');
 * // { path: '/x', query: 'token=t', authority: { host: 'api.example', port: 8080 }, scheme: 'http' }
 */
export function parseRequestTarget(target: string | undefined): RequestTarget {
  if (target === undefined || target === '') return ROOT;
  // origin-form = absolute-path [ "?" query ]
  if (target.charCodeAt(0) === SLASH) {
    const end = pathEnd(target, 0);
    return { path: target.slice(0, end), query: queryAt(target, end), authority: undefined, scheme: undefined };
  }
  // asterisk-form (OPTIONS *)
  if (target === '*') return ASTERISK;
  const colon = schemeEnd(target);
  if (colon !== -1 && target.charCodeAt(colon + 1) === SLASH) {
    const scheme = target.slice(0, colon).toLowerCase();
    // absolute-form = scheme ":" "//" authority path-abempty [ "?" query ]; path-abempty may be empty.
    if (target.charCodeAt(colon + 2) === SLASH) {
      const authorityStart = colon + 3;
      let authorityEnd = target.indexOf('/', authorityStart);
      const end = pathEnd(target, authorityStart);
      if (authorityEnd === -1 || authorityEnd > end) authorityEnd = end;
      const path = target.slice(authorityEnd, end);
      return { path: path === '' ? '/' : path, query: queryAt(target, end), authority: parseAuthority(target, authorityStart, authorityEnd), scheme };
    }
    // scheme ":" path-absolute: no authority, so nothing before the path to leave out.
    const end = pathEnd(target, colon + 1);
    return { path: target.slice(colon + 1, end), query: queryAt(target, end), authority: undefined, scheme };
  }
  // authority-form = uri-host ":" port (CONNECT). Anything else (a rootless `scheme:path` such as
  // `user:pass@host/x`) is not a form HTTP servers take: nothing of it is recorded.
  if (pathEnd(target, 0) !== target.length || target.indexOf('/') !== -1) return UNRECOGNIZED;
  const authority = parseAuthority(target);
  return authority.host !== undefined && authority.port !== undefined ? { path: undefined, query: undefined, authority, scheme: undefined } : UNRECOGNIZED;
}
