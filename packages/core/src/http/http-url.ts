/**
 * Why `value` is not an http: or https: URL, for a message; `undefined` when it is one. Says
 * what is missing for values such as `collector:4318`, which parse with the scheme `collector:`.
 *
 * @example
 * httpUrlProblem('collector:4318'); // 'has no http:// or https:// in front'
 */
export function httpUrlProblem(value: string | URL): string | undefined {
  let url: URL;
  try {
    url = value instanceof URL ? value : new URL(value);
  } catch {
    return 'is not a URL';
  }
  if (url.protocol === 'http:' || url.protocol === 'https:') return undefined;
  return String(value).includes('://') ? `has the scheme ${url.protocol}, expected http: or https:` : 'has no http:// or https:// in front';
}

/** Whether `value` is an http: or https: URL (what every exporter endpoint must be). */
export function isHttpUrl(value: string | URL): boolean {
  return httpUrlProblem(value) === undefined;
}
