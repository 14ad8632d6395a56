/**
 * A URL, or text meant as one, as it may appear in a warning or an error: without user info,
 * query or fragment (where credentials and tokens live), cut at 100 characters. Works on text
 * that does not parse as a URL (a misconfigured endpoint is the usual reason for a message).
 *
 * @example
 * urlForMessages('https://user:secret@collector:4318/v1/traces?token=t'); // 'https://…@collector:4318/v1/traces'
 */
export function urlForMessages(value: string | URL): string {
  const whole = String(value);
  const cut = whole.search(/[?#]/);
  let text = cut === -1 ? whole : whole.slice(0, cut);
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(text)?.[0] ?? '';
  const slash = text.indexOf('/', scheme.length);
  const authority = text.slice(scheme.length, slash === -1 ? undefined : slash);
  const at = authority.lastIndexOf('@');
  if (at !== -1) text = `${scheme}…@${text.slice(scheme.length + at + 1)}`;
  return text.length > 100 ? `${text.slice(0, 100)}…` : text;
}
