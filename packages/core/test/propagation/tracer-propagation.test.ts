import { createTracer, PROPAGATOR_NAMES, type Propagator } from '../../src';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';

/** A header map with get/set like AxiosHeaders or fetch's Headers, case-insensitive. */
class CaseInsensitiveHeaders {
  private readonly map = new Map<string, string>();
  get(name: string): string | undefined {
    return this.map.get(name.toLowerCase());
  }
  set(name: string, value: string): this {
    this.map.set(name.toLowerCase(), value);
    return this;
  }
  entries(): Record<string, string> {
    return Object.fromEntries(this.map);
  }
}

describe('tracer.extract / tracer.inject', () => {
  it('by default extracts every format, first valid in order tracecontext, cloud-trace, b3, b3multi', () => {
    expect(PROPAGATOR_NAMES).toEqual(['tracecontext', 'cloud-trace', 'b3', 'b3multi']);
    const tracer = createTracer();
    const all = {
      traceparent: `00-${TRACE_ID}-${SPAN_ID}-01`,
      'x-cloud-trace-context': `${'1'.repeat(32)}/1;o=1`,
      b3: `${'2'.repeat(32)}-${'2'.repeat(16)}-1`,
      'x-b3-traceid': '3'.repeat(32),
      'x-b3-spanid': '3'.repeat(16),
    };
    expect(tracer.extract(all)?.traceId).toBe(TRACE_ID);
    expect(tracer.extract({ ...all, traceparent: 'invalid' })?.traceId).toBe('1'.repeat(32));
    expect(tracer.extract({ ...all, traceparent: undefined, 'x-cloud-trace-context': 'bad' })?.traceId).toBe('2'.repeat(32));
    expect(tracer.extract({ 'x-b3-traceid': '3'.repeat(32), 'x-b3-spanid': '3'.repeat(16) })?.traceId).toBe('3'.repeat(32));
    expect(tracer.extract({})).toBeUndefined();
  });

  it('by default injects tracecontext and cloud-trace only', () => {
    const tracer = createTracer();
    const headers: Record<string, string> = {};
    tracer.inject({ traceId: TRACE_ID, spanId: SPAN_ID, sampled: true }, headers);
    expect(Object.keys(headers).sort()).toEqual(['traceparent', 'x-cloud-trace-context']);
  });

  it('honours separate extract and inject lists', () => {
    const tracer = createTracer({ propagators: { extract: ['b3'], inject: ['b3multi'] } });
    expect(tracer.extract({ traceparent: `00-${TRACE_ID}-${SPAN_ID}-01` })).toBeUndefined();
    const headers: Record<string, string> = {};
    tracer.inject({ traceId: TRACE_ID, spanId: SPAN_ID, sampled: true }, headers);
    expect(Object.keys(headers).sort()).toEqual(['x-b3-sampled', 'x-b3-spanid', 'x-b3-traceid']);
  });

  it('reads and writes header maps with get/set (AxiosHeaders, fetch Headers)', () => {
    const tracer = createTracer({ propagators: ['tracecontext', 'b3'] });
    const incoming = new CaseInsensitiveHeaders().set('TraceParent', `00-${TRACE_ID}-${SPAN_ID}-01`);
    expect(tracer.extract(incoming)?.spanId).toBe(SPAN_ID);
    const outgoing = new CaseInsensitiveHeaders();
    tracer.inject({ traceId: TRACE_ID, spanId: SPAN_ID, sampled: true }, outgoing);
    expect(outgoing.entries()).toEqual({ traceparent: `00-${TRACE_ID}-${SPAN_ID}-01`, b3: `${TRACE_ID}-${SPAN_ID}-1` });
    const fetchHeaders = new Headers();
    tracer.inject({ traceId: TRACE_ID, spanId: SPAN_ID, sampled: false }, fetchHeaders);
    expect(fetchHeaders.get('traceparent')).toBe(`00-${TRACE_ID}-${SPAN_ID}-00`);
  });

  it('replaces other-case spellings on plain objects instead of sending two headers', () => {
    const tracer = createTracer();
    const headers: Record<string, string> = { TraceParent: 'stale', 'X-Cloud-Trace-Context': 'stale', Accept: 'json' };
    tracer.inject({ traceId: TRACE_ID, spanId: SPAN_ID, sampled: true }, headers);
    expect(Object.keys(headers).sort()).toEqual(['Accept', 'traceparent', 'x-cloud-trace-context']);
  });

  it('never throws on hostile carriers', () => {
    const warnings: string[] = [];
    const tracer = createTracer({ logger: { warn: (m) => void warnings.push(m) } });
    const throwing = new Proxy({}, { get: () => { throw new Error('trap'); }, ownKeys: () => { throw new Error('trap'); } });
    const frozen = Object.freeze({ TraceParent: 'x' });
    const pollute = () => JSON.parse('{"__proto__": {"traceparent": "x"}, "constructor": "y"}') as Record<string, string>;
    expect(tracer.extract(pollute())).toBeUndefined();
    const polluted = pollute();
    for (const carrier of [throwing, frozen, polluted, null, undefined, 'string', 42, [] as unknown]) {
      expect(() => tracer.extract(carrier as never)).not.toThrow();
      expect(() => tracer.inject({ traceId: TRACE_ID, spanId: SPAN_ID, sampled: true }, carrier as never)).not.toThrow();
    }
    expect(polluted.traceparent).toMatch(/^00-/);
    expect(({} as Record<string, unknown>).traceparent).toBeUndefined();
    expect(warnings.every((w) => w.includes('failed to inject'))).toBe(true);
  });

  it('survives a custom propagator that throws, and uses the others', () => {
    const warnings: string[] = [];
    const broken: Propagator = {
      name: 'broken',
      fields: ['x-broken'],
      extract: () => { throw new Error('no'); },
      inject: () => { throw new Error('no'); },
    };
    const tracer = createTracer({ propagators: [broken, 'tracecontext'], logger: { warn: (m) => void warnings.push(m) } });
    expect(tracer.extract({ traceparent: `00-${TRACE_ID}-${SPAN_ID}-01` })?.traceId).toBe(TRACE_ID);
    const headers: Record<string, string> = {};
    tracer.inject({ traceId: TRACE_ID, spanId: SPAN_ID, sampled: true }, headers);
    expect(headers.traceparent).toBeDefined();
    expect(warnings[0]).toContain('propagator broken failed to inject');
  });
});
