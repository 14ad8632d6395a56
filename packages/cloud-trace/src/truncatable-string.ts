/** Cloud Trace v2 TruncatableString: the kept text and how many UTF-8 bytes were cut. */
export interface TruncatableString {
  value: string;
  truncatedByteCount?: number;
}

/**
 * Keeps at most `maxBytes` bytes of UTF-8, cutting on a character boundary (never inside a
 * multi-byte sequence or a surrogate pair), and says how many bytes were dropped.
 */
export function truncate(text: string, maxBytes: number): TruncatableString {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes <= maxBytes) return { value: text };
  let used = 0;
  let end = 0;
  while (end < text.length) {
    const code = text.codePointAt(end)!;
    const size = code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
    if (used + size > maxBytes) break;
    used += size;
    end += code >= 0x10000 ? 2 : 1;
  }
  return { value: text.slice(0, end), truncatedByteCount: bytes - used };
}

/** Cuts a string to `maxBytes` of UTF-8 on a character boundary (for fields that are plain strings). */
export function truncateText(text: string, maxBytes: number): string {
  return truncate(text, maxBytes).value;
}
