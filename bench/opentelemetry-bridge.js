'use strict';
// A pg query span through the OpenTelemetry API: @opentelemetry/instrumentation-pg's own
// `client.query` patch (its code, not a copy) runs on a stand-in pg client whose query calls its
// callback at once, inside an active request span, with Tracewell behind the API
// (registerOpenTelemetry) and with OpenTelemetry's SDK (BasicTracerProvider, async-hooks context).
//   npx tsc -b packages/opentelemetry && node bench/opentelemetry-bridge.js [--quick]
// Per query the patch does: trace.getSpan(context.active()), tracer.startSpan('pg.query:SELECT
// orders', { kind: CLIENT, attributes: db.system.name, db.namespace, server.address,
// server.port }) in context.active(), setAttribute(db.query.text), context.bind(context.active(),
// callback) as there is a parent, then in the callback span.end() (setStatus on errors only).
// The API holds one provider and context manager per process, so each case lives in a process
// of its own (this file, forked with --child). The processes stay up and run one round at a
// time, in turn, as the parent asks: the cases are interleaved as in harness.js, and each
// reports its median round. "floor" is the patch with no SDK behind the API (the API's no-op).
const { forkCase, median, settings } = require('./forked-cases');
const { performance } = require('node:perf_hooks');

const CASES = ['floor', 'tracewell:on', 'opentelemetry:on', 'tracewell:off', 'opentelemetry:off'];
const SQL = 'SELECT id, total FROM orders WHERE customer_id = $1';
const VALUES = [42];
const EXPECTED_NAME = 'pg.query:SELECT orders';

/** One case, set up as its side would be in a traced service: returns the query and how to run inside the request. */
function setUp(variant) {
  const api = require('@opentelemetry/api');
  const [side, sampling] = variant.split(':');
  const ended = [];
  const recorder = { keep: false };
  // Both sides: a processor that discards (it keeps the spans of the check only).
  const discard = {
    onStart() {},
    onEnd(span) {
      if (recorder.keep) ended.push(span);
    },
    forceFlush: async () => {},
    shutdown: async () => {},
  };
  let inRequest = (fn) => fn();
  let requestSpanId;
  if (side === 'tracewell') {
    const tw = require('@tracewell/core');
    const { registerOpenTelemetry } = require('@tracewell/opentelemetry');
    const tracer = tw.createTracer({ sampler: sampling === 'on' ? 'always_on' : 'always_off', spanProcessors: [discard] });
    registerOpenTelemetry({ tracer });
    const request = tracer.startSpan('GET /orders/:id', { kind: tw.SpanKind.SERVER });
    requestSpanId = request.spanContext().spanId;
    inRequest = (fn) => tracer.withSpan(request, fn);
  } else if (side === 'opentelemetry') {
    const { BasicTracerProvider, AlwaysOnSampler, AlwaysOffSampler } = require('@opentelemetry/sdk-trace-base');
    const { AsyncLocalStorageContextManager } = require('@opentelemetry/context-async-hooks');
    const provider = new BasicTracerProvider({ sampler: sampling === 'on' ? new AlwaysOnSampler() : new AlwaysOffSampler(), spanProcessors: [discard] });
    api.trace.setGlobalTracerProvider(provider);
    api.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    const request = api.trace.getTracer('bench-http').startSpan('GET /orders/:id', { kind: api.SpanKind.SERVER });
    requestSpanId = request.spanContext().spanId;
    inRequest = (fn) => api.context.with(api.trace.setSpan(api.context.active(), request), fn);
  }

  const { PgInstrumentation } = require('@opentelemetry/instrumentation-pg');
  const instrumentation = new PgInstrumentation({ enabled: false }); // no require hook: its patch is applied by hand
  const result = { command: 'SELECT', rowCount: 1, rows: [{ id: 1, total: 10 }] };
  // pg.Client.prototype.query's stand-in: done at once, callback called with the result.
  const original = function query(_text, _values, callback) {
    callback.call(this, null, result);
  };
  const query = instrumentation._getClientQueryPatch()(original);
  const client = { database: 'orders', connectionParameters: { database: 'orders', host: 'db.internal', port: 5432, user: 'app' } };
  let done = () => undefined;
  const op = () => query.call(client, SQL, VALUES, done);

  // One query, checked: its span, and its callback running in the request's context.
  let activeInCallback;
  inRequest(() => {
    recorder.keep = true;
    done = () => {
      activeInCallback = api.trace.getActiveSpan()?.spanContext().spanId;
    };
    op();
    recorder.keep = false;
    done = () => undefined;
  });
  const check = { spans: ended.length };
  if (side === 'floor') check.ok = true;
  else if (sampling === 'on') {
    const span = ended[0];
    const parentId = span?.parentSpanContext?.spanId ?? span?.parentSpanId;
    const attributes = span?.attributes ?? {};
    check.attributes = Object.keys(attributes);
    check.ok = span?.name === EXPECTED_NAME && span.kind === api.SpanKind.CLIENT && parentId === requestSpanId && attributes['db.query.text'] === SQL && attributes['server.port'] === 5432;
  } else check.ok = ended.length === 0;
  if (side !== 'floor') {
    check.callbackInRequest = activeInCallback === requestSpanId;
    check.ok = check.ok && check.callbackInRequest;
  }
  return { op, inRequest, check };
}

/** ns per query over n queries, in the request. */
function round({ op, inRequest }, n) {
  return inRequest(() => {
    const start = performance.now();
    for (let i = 0; i < n; i++) op();
    return ((performance.now() - start) * 1e6) / n;
  });
}

/** As harness.js calibrates: iterations for a round of targetMs. */
function calibrate(bench, targetMs) {
  let iterations = 1000;
  for (;;) {
    const elapsed = (round(bench, iterations) * iterations) / 1e6;
    if (elapsed > targetMs / 4) return Math.ceil((iterations * targetMs) / elapsed);
    iterations *= 4;
  }
}

/** In a child: one case; calibrates, then runs a round each time the parent asks. */
function child(variant) {
  const { targetMs, rounds } = settings(process.argv.includes('--quick'));
  const bench = setUp(variant);
  if (process.send === undefined) {
    // Run by hand (e.g. under node --cpu-prof): the rounds in a row.
    calibrate(bench, targetMs);
    const n = calibrate(bench, targetMs);
    const samples = Array.from({ length: rounds }, () => round(bench, n));
    console.log(JSON.stringify({ variant, ns: Math.round(median(samples)), check: bench.check }));
    return;
  }
  let n;
  process.on('message', (message) => {
    if (message === 'calibrate') {
      calibrate(bench, targetMs); // a warm-up: the first calibration runs on code not yet optimized
      n = calibrate(bench, targetMs);
      process.send({ calibrated: n });
    } else if (message === 'round') process.send({ ns: round(bench, n) });
    else process.disconnect();
  });
  process.send({ check: bench.check });
}

/** A forked case: ask(message) resolves with its answer. */
function spawn(variant, quick) {
  return forkCase(__filename, variant, quick ? ['--quick'] : []);
}

async function run({ quick = false } = {}) {
  const { rounds } = settings(quick);
  const children = CASES.map((variant) => spawn(variant, quick));
  try {
    for (const c of children) {
      const { check } = await c.ready;
      if (!check.ok) throw new Error(`bench child ${c.variant}: the query span is not what instrumentation-pg makes through this SDK: ${JSON.stringify(check)}`);
    }
    for (const c of children) await c.ask('calibrate'); // one at a time, as every round
    const samples = Object.fromEntries(CASES.map((c) => [c, []]));
    for (let r = 0; r < rounds; r++) {
      // Rotated each round, so no case always runs first or last.
      for (let i = 0; i < children.length; i++) {
        const c = children[(i + r) % children.length];
        samples[c.variant].push((await c.ask('round')).ns);
      }
    }
    const ns = Object.fromEntries(CASES.map((c) => [c, median(samples[c])]));
    const floor = ns.floor;
    const row = (scenario, bridge, otel) => ({
      scenario,
      'tracewell (bridge) ns/op': Math.round(bridge),
      'opentelemetry ns/op': Math.round(otel),
      'tracewell / opentelemetry': Number((bridge / otel).toFixed(2)),
      'tracewell / opentelemetry, floor subtracted': Number(((bridge - floor) / (otel - floor)).toFixed(2)),
    });
    return [
      { scenario: 'floor: the instrumentation-pg patch, no SDK behind the API (no-op)', 'tracewell (bridge) ns/op': Math.round(floor), 'opentelemetry ns/op': Math.round(floor) },
      row('pg query span in a request span, sampled', ns['tracewell:on'], ns['opentelemetry:on']),
      row('pg query span in a request span, not sampled', ns['tracewell:off'], ns['opentelemetry:off']),
    ];
  } finally {
    await Promise.all(children.map((c) => c.close()));
  }
}

module.exports = { run };

const childAt = process.argv.indexOf('--child');
if (childAt !== -1 && require.main === module) child(process.argv[childAt + 1]);
else require('./harness').runIfMain(module, run);
