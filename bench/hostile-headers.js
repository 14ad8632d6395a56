'use strict';
// Parsing time of hostile trace headers, 10 KiB against 100 KiB: with linear parsing the ratio
// is at most about 10 (below when a parser rejects by length first); a backtracking regular
// expression would show 100 or more. One operation is what a server does with a caller's
// headers: extract with all four formats, start a child span, inject it (which re-serializes
// tracestate). test/reliability/hostile-headers.test.ts asserts
// the same shapes stay well under a second; this prints the times.
//
//   node bench/hostile-headers.js [--quick]      (also part of `npm run bench`)
const { measure, runIfMain } = require('./harness');

const KIB = 1024;
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';
const TRACEPARENT = `00-${TRACE_ID}-${SPAN_ID}-01`;

const SHAPES = {
  'traceparent of one character': (n) => ({ traceparent: '0'.repeat(n) }),
  'traceparent with a huge tail': (n) => ({ traceparent: `${TRACEPARENT}-${'a'.repeat(n)}` }),
  'tracestate of many members': (n) => ({ traceparent: TRACEPARENT, tracestate: Array.from({ length: Math.floor(n / 8) }, (_, i) => `k${i}=v${i}`).join(',').slice(0, n) }),
  'tracestate of one huge member': (n) => ({ traceparent: TRACEPARENT, tracestate: `k=${'v'.repeat(n)}` }),
  'X-Cloud-Trace-Context with a huge decimal span id': (n) => ({ 'x-cloud-trace-context': `${TRACE_ID}/${'9'.repeat(n)};o=1` }),
  'b3 with a huge parent span id': (n) => ({ b3: `${TRACE_ID}-${SPAN_ID}-1-${'a'.repeat(n)}` }),
  'b3multi of huge values': (n) => ({ 'x-b3-traceid': 'a'.repeat(n), 'x-b3-spanid': 'b'.repeat(n), 'x-b3-sampled': '1'.repeat(n) }),
};

async function run() {
  const { createTracer, InMemorySpanExporter, SimpleSpanProcessor } = require('@tracewell/core');
  const tracer = createTracer({
    sampler: 'always_on',
    propagators: ['tracecontext', 'cloud-trace', 'b3', 'b3multi'],
    spanProcessors: [new SimpleSpanProcessor(new InMemorySpanExporter())],
  });
  const handle = (headers) => () => {
    const span = tracer.startSpan('GET', { parent: tracer.extract(headers) ?? null });
    tracer.inject(span, {});
  };
  const rows = [];
  for (const [shape, make] of Object.entries(SHAPES)) {
    const ns = measure({ small: handle(make(10 * KIB)), large: handle(make(100 * KIB)) });
    rows.push({
      'header shape': shape,
      '10 KiB (µs)': (ns.small / 1000).toFixed(1),
      '100 KiB (µs)': (ns.large / 1000).toFixed(1),
      '100 KiB / 10 KiB (≤ 10: linear or better)': (ns.large / ns.small).toFixed(1),
    });
  }
  return rows;
}

module.exports = { run };
runIfMain(module, run);
