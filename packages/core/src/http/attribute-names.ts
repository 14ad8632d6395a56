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

// Methods the conventions know; anything else is recorded as _OTHER (bounded cardinality).
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH', 'QUERY']);

/** The method as the conventions want it: a known method, or `_OTHER` (with the original kept aside). */
export function normalizeMethod(method: string | undefined): { method: string; original?: string } {
  const upper = typeof method === 'string' ? method.toUpperCase() : '';
  if (KNOWN_METHODS.has(upper)) return upper === method ? { method: upper } : { method: upper, original: method };
  return { method: '_OTHER', original: typeof method === 'string' ? method.slice(0, 64) : '' };
}

/** Span name for a request: `METHOD /route`, just `METHOD` without a route, `HTTP` for unknown methods. */
export function httpSpanName(method: string, route: string | undefined): string {
  const prefix = method === '_OTHER' ? 'HTTP' : method;
  return route === undefined ? prefix : `${prefix} ${route}`;
}
