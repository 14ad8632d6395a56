// Checks and parses the `links` option once, at start. The UI fills the parsed templates in
// (ui/links.ts) and knows no placeholder grammar of its own: the split parts come from here.
import type { ParsedLinkTemplate } from './api-types';

const PLACEHOLDER = /\{([^}]*)\}/;
const KNOWN = /^(traceId|spanId|service|name|startTime|endTime|attr:.+)$/;
const PER_SPAN = /^(spanId|service|name|attr:.+)$/;

/** The templates, checked and split at their placeholders; throws a TypeError naming the option for anything else. */
export function resolveLinkTemplates(value: unknown, option: string): ParsedLinkTemplate[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new TypeError(`${option}: expected an array of { name, url }`);
  return value.map((link: unknown, i): ParsedLinkTemplate => {
    const where = `${option}[${i}]`;
    if (link === null || typeof link !== 'object') throw new TypeError(`${where}: expected { name, url }`);
    const { name, url } = link as Record<string, unknown>;
    if (typeof name !== 'string' || name.trim() === '' || name.length > 60) throw new TypeError(`${where}.name: expected a label of 1 to 60 characters`);
    if (typeof url !== 'string' || !/^https?:\/\/[^/{}]+/i.test(url)) throw new TypeError(`${where}.url: expected an http: or https: URL template with a fixed host, got ${JSON.stringify(url)}`);
    // split() with a capturing group keeps the keys at the odd positions.
    const parts = url.split(PLACEHOLDER);
    const keys = parts.filter((_, k) => k % 2 === 1);
    for (const key of keys) {
      if (!KNOWN.test(key)) throw new TypeError(`${where}.url: unknown placeholder {${key}} (expected {traceId}, {spanId}, {service}, {name}, {startTime}, {endTime} or {attr:KEY})`);
    }
    return { name: name.trim(), url, parts, perSpan: keys.some((key) => PER_SPAN.test(key)) };
  });
}
