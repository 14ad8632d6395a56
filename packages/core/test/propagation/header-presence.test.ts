import fc from 'fast-check';
import { HeaderPresence } from '../../src/propagation/header-presence';

const NAMES = ['traceparent', 'tracestate', 'b3', 'x-b3-traceid', 'x-cloud-trace-context'];
const RUNS = Number(process.env.TRACEWELL_PROPERTY_RUNS ?? 2000);

/** The rule it must agree with: a lowercase copy of each name, looked up in the set. */
function expected(names: readonly string[], raw: readonly string[]): boolean {
  for (let i = 0; i < raw.length; i += 2) if (names.includes(raw[i]!.toLowerCase())) return true;
  return false;
}

describe('HeaderPresence', () => {
  const presence = new HeaderPresence(NAMES);

  it('finds a name in any case and ignores values', () => {
    expect(presence.inRawHeaders(['Host', 'a', 'TraceParent', 'x'])).toBe(true);
    expect(presence.inRawHeaders(['X-Cloud-Trace-Context', 'x'])).toBe(true);
    expect(presence.inRawHeaders(['B3', '1'])).toBe(true);
    // A value that is a header name is not a name.
    expect(presence.inRawHeaders(['Host', 'traceparent', 'User-Agent', 'b3'])).toBe(false);
    expect(presence.inRawHeaders([])).toBe(false);
  });

  it('tells apart names of the same length', () => {
    // 'connection' and 'user-agent' are as long as 'tracestate'; 'content-type' as 'x-b3-traceid'.
    expect(presence.inRawHeaders(['Connection', 'close', 'User-Agent', 'u', 'Content-Type', 'j'])).toBe(false);
    expect(presence.inRawHeaders(['tracestatE', 'k=v'])).toBe(true);
  });

  it('handles names of 31 characters and more', () => {
    const long = 'x-a-header-name-of-forty-characters-long';
    const longer = new HeaderPresence([long]);
    expect(longer.inRawHeaders([long.toUpperCase(), 'v'])).toBe(true);
    expect(longer.inRawHeaders([`${long}-and-then-some`, 'v', 'x'.repeat(31), 'v'])).toBe(false);
  });

  it('agrees with lowercasing each name and looking it up', () => {
    const name = fc.oneof(
      fc.constantFrom(...NAMES, ...NAMES.map((n) => n.toUpperCase()), 'TraceParent', 'X-B3-TraceId', 'tracepar', 'traceparent2', 'Host', 'Connection'),
      fc.string({ maxLength: 40 }),
    );
    const raw = fc.array(fc.tuple(name, fc.string({ maxLength: 8 })), { maxLength: 12 }).map((pairs) => pairs.flat());
    fc.assert(fc.property(raw, (headers) => presence.inRawHeaders(headers) === expected(NAMES, headers)), { numRuns: RUNS });
  });
});
