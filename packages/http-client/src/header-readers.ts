// Header lookups over the shapes the clients keep headers in, for `recordHeaders` and for
// leaving headers the caller set alone. Names are compared in lowercase.

function headerText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('latin1');
  return undefined;
}

/**
 * undici's request and response headers: a flat array of names and values (strings or
 * Buffers), or, in undici 5, one `name: value\r\n` string. Repeated names give an array.
 */
export function undiciHeaderReader(headers: unknown): (name: string) => unknown {
  return (name) => {
    const found: string[] = [];
    if (Array.isArray(headers)) {
      for (let i = 0; i + 1 < headers.length; i += 2) {
        if (headerText(headers[i])?.toLowerCase() === name) {
          const value = headers[i + 1];
          if (Array.isArray(value)) for (const item of value) found.push(headerText(item) ?? '');
          else found.push(headerText(value) ?? '');
        }
      }
    } else if (typeof headers === 'string') {
      for (const line of headers.split('\r\n')) {
        const colon = line.indexOf(':');
        if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === name) found.push(line.slice(colon + 1).trim());
      }
    }
    return found.length === 0 ? undefined : found.length === 1 ? found[0] : found;
  };
}
