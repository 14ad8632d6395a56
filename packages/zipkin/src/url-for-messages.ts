import { redactUrl } from '@tracewell/core';

/**
 * A URL as it may appear in a warning or error: as given, unless it carries user info, a query
 * or a fragment (where credentials and tokens live), then without them. Long values are cut.
 */
export function urlForMessages(value: string | URL): string {
  let url: URL | undefined;
  try {
    url = typeof value === 'string' ? new URL(value) : value;
  } catch {
    url = undefined;
  }
  // redactUrl rebuilds protocol//host/path, which would misquote an opaque URL like "zipkin:9411": use it only when needed.
  const text = url !== undefined && (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') ? redactUrl(url) : String(value);
  return text.length > 100 ? `${text.slice(0, 100)}…` : text;
}
