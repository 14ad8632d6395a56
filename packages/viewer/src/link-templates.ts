// Checks the `links` option once, at start: the UI fills the templates in (ui/links.ts).
import type { LinkTemplate } from './api-types';

const PLACEHOLDER = /\{([^}]*)\}/g;
const KNOWN = /^(traceId|spanId|service|name|startTime|endTime|attr:.+)$/;

/** The templates, checked; throws a TypeError naming the option for anything else. */
export function resolveLinkTemplates(value: unknown, option: string): LinkTemplate[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new TypeError(`${option}: expected an array of { name, url }`);
  return value.map((link: unknown, i) => {
    const where = `${option}[${i}]`;
    if (link === null || typeof link !== 'object') throw new TypeError(`${where}: expected { name, url }`);
    const { name, url } = link as Record<string, unknown>;
    if (typeof name !== 'string' || name.trim() === '' || name.length > 60) throw new TypeError(`${where}.name: expected a label of 1 to 60 characters`);
    if (typeof url !== 'string' || !/^https?:\/\/[^/{}]+/i.test(url)) throw new TypeError(`${where}.url: expected an http: or https: URL template with a fixed host, got ${JSON.stringify(url)}`);
    for (const [, key] of url.matchAll(PLACEHOLDER)) {
      if (!KNOWN.test(key!)) throw new TypeError(`${where}.url: unknown placeholder {${key}} (expected {traceId}, {spanId}, {service}, {name}, {startTime}, {endTime} or {attr:KEY})`);
    }
    return { name: name.trim(), url };
  });
}
