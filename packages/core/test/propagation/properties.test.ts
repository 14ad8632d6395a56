import fc from 'fast-check';
import { createTracer, isValidSpanId, isValidTraceId, PROPAGATOR_NAMES, type HeaderRecord } from '../../src';

const RUNS = Number(process.env.TRACEWELL_PROPERTY_RUNS ?? 2000);
const hex = (length: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: length, maxLength: length });
const traceId = hex(32).filter((id) => /[1-9a-f]/.test(id));
const spanId = hex(16).filter((id) => /[1-9a-f]/.test(id));
const HEADER_NAMES = ['traceparent', 'tracestate', 'x-cloud-trace-context', 'b3', 'x-b3-traceid', 'x-b3-spanid', 'x-b3-parentspanid', 'x-b3-sampled', 'x-b3-flags', 'TraceParent', '__proto__', 'constructor'];

// Values that are near misses of real headers as well as noise: fragments of valid values
// spliced with arbitrary text, so the generator reaches the parsers' deeper branches.
const fragment = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('00', 'ff', 'cc', '-', '/', ';o=', ';o=1', '=', ',', '@', ' ', '\t', '\r\n', 'd', '0', '1', 'true'),
  hex(32),
  hex(16),
  fc.bigInt({ min: 0n, max: 1n << 70n }).map(String),
);
const headerValue = fc.oneof(
  fc.array(fragment, { maxLength: 8 }).map((parts) => parts.join('')),
  fc.array(fc.array(fragment, { maxLength: 6 }).map((parts) => parts.join('')), { maxLength: 3 }),
  fc.integer(),
  fc.constant(undefined),
);
const headers = fc.dictionary(fc.oneof(fc.constantFrom(...HEADER_NAMES), fc.string({ maxLength: 12 })), headerValue, { maxKeys: 10 });

describe('propagation properties', () => {
  const tracer = createTracer({ logger: { warn: () => undefined } });

  it('extract never throws and returns only valid ids or a bare decision', () => {
    fc.assert(
      fc.property(headers, (carrier) => {
        const context = tracer.extract(carrier as HeaderRecord);
        if (context === undefined) return true;
        const bareDecision = context.traceId === '' && context.spanId === '' && typeof context.sampled === 'boolean';
        return bareDecision || (isValidTraceId(context.traceId) && isValidSpanId(context.spanId));
      }),
      { numRuns: RUNS },
    );
  });

  it('what is injected after extracting arbitrary input is plain visible ASCII (no header injection)', () => {
    fc.assert(
      fc.property(headers, (carrier) => {
        const parent = tracer.extract(carrier as HeaderRecord);
        const out: Record<string, string> = {};
        createTracer({ propagators: PROPAGATOR_NAMES }).inject(tracer.startSpan('s', { parent: parent ?? null }), out);
        return Object.values(out).every((value) => /^[\x20-\x7e]*$/.test(value));
      }),
      { numRuns: RUNS },
    );
  });

  it.each(PROPAGATOR_NAMES)('%s: inject then extract returns the same trace id, span id and sampled flag', (name) => {
    const single = createTracer({ propagators: [name] });
    fc.assert(
      fc.property(traceId, spanId, fc.boolean(), (t, s, sampled) => {
        const carrier: Record<string, string> = {};
        single.inject({ traceId: t, spanId: s, sampled }, carrier);
        const back = single.extract(carrier);
        return back?.traceId === t && back.spanId === s && back.sampled === sampled;
      }),
      { numRuns: RUNS },
    );
  });
});
