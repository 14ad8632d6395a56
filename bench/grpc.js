'use strict';
// A unary gRPC call, traced on both sides: a @grpc/grpc-js client calls /demo.Echo/Unary (tiny
// JSON messages, no protobuf) on a server in the same process over loopback, on one channel
// that stays connected, one call at a time, each inside an active request span. Cases: untraced
// (no instrumentation: the floor), Tracewell (grpcClientInterceptor + grpcServerInterceptor of
// @tracewell/grpc) and OpenTelemetry JS (NodeTracerProvider, async-hooks context, W3C
// propagator, instrumentation-grpc), sampled (always on), and Tracewell not sampled (always off)
// too; every processor discards. A traced call makes two spans: the CLIENT span and the
// server's SERVER span, its child.
//   npx tsc -b packages/grpc && node bench/grpc.js [--quick]
// Instrumentations and the OpenTelemetry API are process-global, so each case lives in a process
// of its own (this file, forked with --child), as in http-client.js: the processes stay up and
// run one round at a time, in turn, as the parent asks, and each reports its median round.
// Reported per call: the wall time of a call and the process's CPU time (user + system), both
// sides' work, as client and server share the process.
// By hand (e.g. under node --cpu-prof): node bench/grpc.js --child tracewell:on [--quick] runs
// the rounds in a row.
const { calibrateCalls, forkCase, median, recordingProcessor, settings } = require('./forked-cases');
const { performance } = require('node:perf_hooks');

// OpenTelemetry not sampled is left out to keep the suite short (setUp supports 'opentelemetry:off').
const CASES = ['untraced', 'tracewell:on', 'opentelemetry:on', 'tracewell:off'];
// Unmeasured calls per case before calibrating (a quarter with --quick): a call costs 3 to 5 times
// its final cost over the first thousands, and settles after 4,000 or so (untraced and traced alike).
const WARM_UP = 4000;
// Twice the rounds settings() says (14 by default): a round is some hundreds of calls only, and
// more short rounds, interleaved, let the median ride out a burst of load from elsewhere.
const ROUND_SCALE = 2;
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const PATH = '/demo.Echo/Unary';

/** One case, set up as its side would be in a traced service: the call, and how to run inside the request. */
async function setUp(variant) {
  const [side, sampling] = variant.split(':');
  // Both sides: a processor that discards (it keeps the spans of the check only).
  const { recorder, processor: discard } = recordingProcessor();
  let inRequest = (fn) => fn();
  let request;
  let kinds;
  let serverInterceptors = [];
  let interceptorsFor = () => undefined;
  if (side === 'tracewell') {
    const tw = require('@tracewell/core');
    const { grpcClientInterceptor, grpcServerInterceptor } = require('@tracewell/grpc');
    const tracer = tw.createTracer({ sampler: sampling === 'on' ? 'always_on' : 'always_off', spanProcessors: [discard] });
    serverInterceptors = [grpcServerInterceptor({ tracer })];
    interceptorsFor = (target) => [grpcClientInterceptor({ tracer, target })];
    request = tracer.startSpan('GET /orders/:id', { kind: tw.SpanKind.SERVER });
    inRequest = (fn) => tracer.withSpan(request, fn);
    kinds = { client: tw.SpanKind.CLIENT, server: tw.SpanKind.SERVER };
  } else if (side === 'opentelemetry') {
    const api = require('@opentelemetry/api');
    const { NodeTracerProvider } = require('@opentelemetry/sdk-trace-node');
    const { AlwaysOnSampler, AlwaysOffSampler } = require('@opentelemetry/sdk-trace-base');
    const { AsyncLocalStorageContextManager } = require('@opentelemetry/context-async-hooks');
    const { W3CTraceContextPropagator } = require('@opentelemetry/core');
    const { registerInstrumentations } = require('@opentelemetry/instrumentation');
    const { GrpcInstrumentation } = require('@opentelemetry/instrumentation-grpc');
    const provider = new NodeTracerProvider({ sampler: sampling === 'on' ? new AlwaysOnSampler() : new AlwaysOffSampler(), spanProcessors: [discard] });
    provider.register({ contextManager: new AsyncLocalStorageContextManager(), propagator: new W3CTraceContextPropagator() });
    registerInstrumentations({ instrumentations: [new GrpcInstrumentation()] });
    request = api.trace.getTracer('bench-grpc').startSpan('GET /orders/:id', { kind: api.SpanKind.SERVER });
    inRequest = (fn) => api.context.with(api.trace.setSpan(api.context.active(), request), fn);
    kinds = { client: api.SpanKind.CLIENT, server: api.SpanKind.SERVER };
  }

  // Required only now: instrumentation-grpc patches @grpc/grpc-js through a require hook.
  const grpc = require('@grpc/grpc-js');
  const service = { Unary: require('@tracewell/conformance').jsonGrpcMethod(PATH) };
  const server = new grpc.Server({ interceptors: serverInterceptors });
  const OK = { ok: true };
  server.addService(service, {
    // Answers at once; `{ check: true }` answers with the traceparent the call carried.
    Unary(call, callback) {
      callback(null, call.request.check ? { traceparent: call.metadata.get('traceparent')[0] ?? null } : OK);
    },
  });
  const port = await new Promise((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  const target = `127.0.0.1:${port}`;
  const clientInterceptors = interceptorsFor(target) ?? [];
  const Echo = grpc.makeGenericClientConstructor(service, 'Echo');
  const client = new Echo(target, grpc.credentials.createInsecure(), { interceptors: clientInterceptors });
  const PING = { n: 1 };
  const call = (message = PING) => new Promise((resolve, reject) => client.Unary(message, (error, reply) => (error ? reject(error) : resolve(reply))));

  /** One call: what the server received, and the spans this process made for it. */
  async function check() {
    await inRequest(() => call()); // connects the channel: the check's call is not the first
    recorder.keep = true;
    recorder.started = 0;
    recorder.ended = [];
    const reply = await inRequest(() => call({ check: true }));
    await new Promise((resolve) => setTimeout(resolve, 20)); // let the call's last events fire
    recorder.keep = false;
    const received = reply.traceparent;
    const result = { traceparent: received, started: recorder.started, ended: recorder.ended.length };
    if (side === undefined || side === 'untraced') {
      result.ok = received === null && recorder.started === 0 && recorder.ended.length === 0;
      return result;
    }
    const requestContext = request.spanContext();
    const [, traceId, spanId, flags] = TRACEPARENT.exec(received ?? '') ?? [];
    if (sampling === 'on') {
      const parentOf = (span) => span?.parentSpanContext?.spanId ?? span?.parentSpanId;
      const clientSpan = recorder.ended.find((s) => s.kind === kinds.client);
      const serverSpan = recorder.ended.find((s) => s.kind === kinds.server);
      result.spans = recorder.ended.map((s) => ({ name: s.name, kind: s.kind, traceId: s.spanContext().traceId, spanId: s.spanContext().spanId, parentSpanId: parentOf(s) }));
      result.ok =
        recorder.started === 2 &&
        recorder.ended.length === 2 &&
        clientSpan !== undefined &&
        serverSpan !== undefined &&
        parentOf(clientSpan) === requestContext.spanId &&
        parentOf(serverSpan) === clientSpan.spanContext().spanId &&
        clientSpan.spanContext().traceId === requestContext.traceId &&
        serverSpan.spanContext().traceId === requestContext.traceId &&
        spanId === clientSpan.spanContext().spanId &&
        traceId === requestContext.traceId &&
        (parseInt(flags, 16) & 1) === 1;
    } else {
      // Not sampled: no span reaches a processor; the trace (not sampled) still goes on. The flags'
      // other bits may be set (Tracewell sets W3C level 2's random-trace-id bit, 0x02).
      result.ok = recorder.started === 0 && recorder.ended.length === 0 && traceId === requestContext.traceId && (parseInt(flags, 16) & 1) === 0;
    }
    return result;
  }

  return { call, inRequest, check };
}

/** Wall and CPU time per call (ns) over n calls made one after another, in the request span. */
function round({ call, inRequest }, n) {
  return inRequest(async () => {
    const cpu = process.cpuUsage();
    const start = performance.now();
    for (let i = 0; i < n; i++) await call();
    const elapsed = performance.now() - start;
    const used = process.cpuUsage(cpu);
    return { ns: (elapsed * 1e6) / n, cpuNs: ((used.user + used.system) * 1e3) / n };
  });
}

/** Warm-up, before calibrating: grpc-js and the tracing code get optimized over the first thousands of calls. */
async function warmUp(bench, quick) {
  const calls = WARM_UP / (quick ? 4 : 1);
  for (let done = 0; done < calls; done += 250) await round(bench, 250);
}

/** As harness.js calibrates: calls for a round of targetMs. */
function calibrate(bench, targetMs) {
  return calibrateCalls((n) => round(bench, n), targetMs);
}

/** In a child: one case; checks, then warms up, calibrates and runs a round each time the parent asks. */
async function child(variant) {
  const quick = process.argv.includes('--quick');
  const { targetMs } = settings(quick);
  const rounds = settings(quick).rounds * ROUND_SCALE;
  const bench = await setUp(variant);
  const check = await bench.check();
  if (process.send === undefined) {
    // Run by hand (e.g. under node --cpu-prof): the rounds in a row.
    await warmUp(bench, quick);
    const n = await calibrate(bench, targetMs);
    const samples = [];
    for (let r = 0; r < rounds; r++) samples.push(await round(bench, n));
    console.log(JSON.stringify({ variant, check, ns: Math.round(median(samples.map((s) => s.ns))), cpuNs: Math.round(median(samples.map((s) => s.cpuNs))) }));
    process.exit(0); // the channel and the server would keep the process up
  }
  let n;
  process.on('message', async (message) => {
    if (message === 'warm up') {
      await warmUp(bench, quick);
      process.send({ warm: true });
    } else if (message === 'calibrate') {
      n = await calibrate(bench, targetMs);
      process.send({ calibrated: n });
    } else if (message === 'round') process.send(await round(bench, n));
    else process.exit(0);
  });
  process.send({ check });
}

async function run({ quick = false } = {}) {
  const rounds = settings(quick).rounds * ROUND_SCALE;
  const children = CASES.map((variant) => forkCase(__filename, variant, quick ? ['--quick'] : []));
  try {
    for (const c of children) {
      const { check } = await c.ready;
      if (!check.ok) throw new Error(`bench child ${c.variant}: a call's spans or trace header are not as expected: ${JSON.stringify(check)}`);
    }
    for (const c of children) await c.ask('warm up'); // unmeasured, but one at a time too (2 cores)
    for (const c of children) await c.ask('calibrate'); // one at a time, as every round
    const samples = Object.fromEntries(CASES.map((c) => [c, { ns: [], cpuNs: [] }]));
    for (let r = 0; r < rounds; r++) {
      // Rotated each round, so no case always runs first or last.
      for (let i = 0; i < children.length; i++) {
        const c = children[(i + r) % children.length];
        const { ns, cpuNs } = await c.ask('round');
        samples[c.variant].ns.push(ns);
        samples[c.variant].cpuNs.push(cpuNs);
      }
    }
    const us = (ns) => Number((ns / 1000).toFixed(1));
    const ratio = (a, b) => Number((a / b).toFixed(2));
    const rows = [];
    for (const sampling of ['on', 'off']) {
      for (const [metric, label] of [
        ['ns', 'wall'],
        ['cpuNs', 'CPU (client + server)'],
      ]) {
        const at = (variant) => median(samples[variant][metric]);
        const floor = at('untraced');
        const tw = at(`tracewell:${sampling}`);
        const otel = CASES.includes(`opentelemetry:${sampling}`) ? at(`opentelemetry:${sampling}`) : undefined;
        const row = { scenario: `unary call, ${sampling === 'on' ? 'sampled' : 'not sampled'}: ${label}`, 'untraced µs/call': us(floor), 'tracewell µs/call': us(tw) };
        if (otel !== undefined) row['opentelemetry µs/call'] = us(otel);
        row['tracewell / untraced'] = ratio(tw, floor);
        if (otel !== undefined) {
          row['opentelemetry / untraced'] = ratio(otel, floor);
          row['tracewell added / opentelemetry added'] = ratio(tw - floor, otel - floor);
        }
        rows.push(row);
      }
    }
    return rows;
  } finally {
    await Promise.all(children.map((c) => c.close()));
  }
}

module.exports = { run };

const childAt = process.argv.indexOf('--child');
if (childAt !== -1 && require.main === module)
  child(process.argv[childAt + 1]).catch((error) => {
    console.error(error);
    process.exit(1);
  });
else require('./harness').runIfMain(module, run);
