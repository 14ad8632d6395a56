// OpenTelemetry HTTP semantic conventions (stable, v1.23+): the attribute names we record.
export const HTTP_REQUEST_METHOD = 'http.request.method';
export const HTTP_REQUEST_METHOD_ORIGINAL = 'http.request.method_original';
export const HTTP_RESPONSE_STATUS_CODE = 'http.response.status_code';
export const HTTP_ROUTE = 'http.route';
export const URL_PATH = 'url.path';
export const URL_SCHEME = 'url.scheme';
export const URL_FULL = 'url.full';
export const URL_QUERY = 'url.query';
export const SERVER_ADDRESS = 'server.address';
export const SERVER_PORT = 'server.port';
export const CLIENT_ADDRESS = 'client.address';
export const USER_AGENT_ORIGINAL = 'user_agent.original';
export const NETWORK_PROTOCOL_VERSION = 'network.protocol.version';
export const ERROR_TYPE = 'error.type';

/** A method as the conventions record it. */
export interface NormalizedMethod {
  readonly method: string;
  readonly original?: string;
}

// Methods the conventions know; anything else is recorded as _OTHER (bounded cardinality).
// Their results are made once: a request with a known method in uppercase allocates nothing.
const KNOWN_METHODS = new Map<string, NormalizedMethod>(
  ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH', 'QUERY'].map((m) => [m, Object.freeze({ method: m })]),
);

/** The method as the conventions want it: a known method, or `_OTHER` (with the original kept aside). */
export function normalizeMethod(method: string | undefined): NormalizedMethod {
  if (typeof method !== 'string') return { method: '_OTHER', original: '' };
  const known = KNOWN_METHODS.get(method);
  if (known !== undefined) return known;
  const upper = method.toUpperCase();
  if (KNOWN_METHODS.has(upper)) return { method: upper, original: method };
  return { method: '_OTHER', original: method.slice(0, 64) };
}

// Names made so far, per method and route template: a span waiting for export then shares its
// name with the others instead of holding a string of its own. Templates are few; past the cap
// (an app with routes made per request) names are simply built each time.
const SPAN_NAMES = new Map<string, Map<string, string>>();
const MAX_NAMES_PER_METHOD = 1000;

/** Span name for a request: `METHOD /route`, just `METHOD` without a route, `HTTP` for unknown methods. */
export function httpSpanName(method: string, route: string | undefined): string {
  const prefix = method === '_OTHER' ? 'HTTP' : method;
  if (route === undefined) return prefix;
  let names = SPAN_NAMES.get(prefix);
  if (names === undefined) SPAN_NAMES.set(prefix, (names = new Map()));
  let name = names.get(route);
  if (name === undefined) {
    name = `${prefix} ${route}`;
    if (names.size < MAX_NAMES_PER_METHOD) names.set(route, name);
  }
  return name;
}
