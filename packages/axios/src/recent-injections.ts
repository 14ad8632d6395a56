// Retry libraries resend a failed request from its config, but axios merges that config into
// a new object, so the only link between attempts is the header values themselves. To replace
// our own headers on a retry (and never the caller's), the values injected into failed
// attempts are remembered here: bounded, oldest forgotten first, nothing kept for successes.
const CAPACITY = 4096;
const values = new Set<string>();

function key(name: string, value: string): string {
  return `${name}\n${value}`;
}

/** Remembers the headers sent with an attempt that failed (and so may be retried). */
export function rememberFailedAttempt(headers: Readonly<Record<string, string>>): void {
  for (const [name, value] of Object.entries(headers)) {
    const k = key(name, value);
    values.delete(k);
    values.add(k);
    if (values.size > CAPACITY) values.delete(values.values().next().value as string);
  }
}

/** True when `value` of header `name` is one we injected into a failed attempt. */
export function wasInjectedByUs(name: string, value: unknown): boolean {
  return typeof value === 'string' && values.has(key(name, value));
}
