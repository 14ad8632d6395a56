'use strict';
// Outgoing HTTP requests, traced: the global `fetch` and `http.get` (a keep-alive agent) to a
// local keep-alive node:http server that answers at once with a 2-byte body, one request at a
// time, each inside an active request span. Cases: untraced (no instrumentation: the floor),
// Tracewell (createTracer + setGlobalTracer + traceHttpClients() of @tracewell/http-client) and
// OpenTelemetry JS (NodeTracerProvider, async-hooks context, W3C propagator, instrumentation-undici
// and instrumentation-http), sampled (always on), and Tracewell not sampled (always off) too;
// every processor discards.
//   npx tsc -b packages/http-client && node bench/http-client.js [--quick]
// Instrumentations and the OpenTelemetry API are process-global, so each case lives in a process
// of its own (this file, forked with --child), as in opentelemetry-bridge.js: the processes stay
// up and run one round at a time, in turn, as the parent asks, and each reports its median
// round. The server is one more process (this file with --server), so a client's time and CPU
// are its own. Reported per call: the wall time of a request (the server's share included, the
// same in every case) and the client process's CPU time (user + system).
// By hand (e.g. under node --cpu-prof): node bench/http-client.js --child tracewell:on
// [--client fetch|http.get] [--quick] starts its own server and runs the rounds in a row.
const { fork } = require('node:child_process');
const { calibrateCalls, forkCase, median, recordingProcessor, settings } = require('./forked-cases');
const { performance } = require('node:perf_hooks');

// OpenTelemetry not sampled is left out to keep the suite under 30 s (setUp supports 'opentelemetry:off').
const CASES = ['untraced', 'tracewell:on', 'opentelemetry:on', 'tracewell:off'];
const CLIENTS = ['fetch', 'http.get'];
// Unmeasured requests per client and case before calibrating (a quarter with --quick; see warmUp).
const WARM_UP = { fetch: 3000, 'http.get': 1000 };
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** In the server process: answers `ok` at once; `/check` answers with the traceparent it got. */
function server() {
  const http = require('node:http');
  const srv = http.createServer((req, res) => {
    const body = req.url === '/check' ? JSON.stringify({ traceparent: req.headers.traceparent ?? null }) : 'ok';
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  srv.keepAliveTimeout = 60_000; // a case waits for the others' rounds: its connection stays open
  srv.listen(0, '127.0.0.1', () => process.send({ port: srv.address().port }));
  process.on('disconnect', () => process.exit(0));
}

/** Forks the server; resolves with its port and how to stop it. */
function startServer() {
  // execArgv: [] so that a child run under --cpu-prof does not profile the server too.
  const proc = fork(__filename, ['--server'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [] });
  return new Promise((resolve, reject) => {
    proc.once('message', ({ port }) => resolve({ port, stop: () => proc.connected && proc.disconnect() }));
    proc.once('exit', (code) => reject(new Error(`bench server exited (${code})`)));
  });
}

/** One case, set up as its side would be in a traced service: the two clients and how to run inside the request. */
function setUp(variant, port) {
  const [side, sampling] = variant.split(':');
  // Both sides: a processor that discards (it keeps the spans of the check only).
  const { recorder, processor: discard } = recordingProcessor();
  let inRequest = (fn) => fn();
  let activeSpanId = () => undefined;
  let request;
  let clientKind;
  if (side === 'tracewell') {
    const tw = require('@tracewell/core');
    const tracer = tw.createTracer({ sampler: sampling === 'on' ? 'always_on' : 'always_off', spanProcessors: [discard] });
    tw.setGlobalTracer(tracer);
    require('@tracewell/http-client').traceHttpClients();
    request = tracer.startSpan('GET /orders/:id', { kind: tw.SpanKind.SERVER });
    inRequest = (fn) => tracer.withSpan(request, fn);
    activeSpanId = () => tracer.currentSpan()?.spanContext().spanId;
    clientKind = tw.SpanKind.CLIENT;
  } else if (side === 'opentelemetry') {
    const api = require('@opentelemetry/api');
    const { NodeTracerProvider } = require('@opentelemetry/sdk-trace-node');
    const { AlwaysOnSampler, AlwaysOffSampler } = require('@opentelemetry/sdk-trace-base');
    const { AsyncLocalStorageContextManager } = require('@opentelemetry/context-async-hooks');
    const { W3CTraceContextPropagator } = require('@opentelemetry/core');
    const { registerInstrumentations } = require('@opentelemetry/instrumentation');
    const { UndiciInstrumentation } = require('@opentelemetry/instrumentation-undici');
    const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http');
    const provider = new NodeTracerProvider({ sampler: sampling === 'on' ? new AlwaysOnSampler() : new AlwaysOffSampler(), spanProcessors: [discard] });
    provider.register({ contextManager: new AsyncLocalStorageContextManager(), propagator: new W3CTraceContextPropagator() });
    registerInstrumentations({ instrumentations: [new UndiciInstrumentation(), new HttpInstrumentation()] });
    request = api.trace.getTracer('bench-http-client').startSpan('GET /orders/:id', { kind: api.SpanKind.SERVER });
    inRequest = (fn) => api.context.with(api.trace.setSpan(api.context.active(), request), fn);
    activeSpanId = () => api.trace.getActiveSpan()?.spanContext().spanId;
    clientKind = api.SpanKind.CLIENT;
  }

  // Required only now: instrumentation-http patches node:http through a require hook.
  const http = require('node:http');
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const origin = `http://127.0.0.1:${port}`;
  const calls = {
    fetch: async (path = '/') => (await fetch(`${origin}${path}`)).text(),
    'http.get': (path = '/') =>
      new Promise((resolve, reject) => {
        http
          .get({ host: '127.0.0.1', port, path, agent }, (res) => {
            let body = '';
            res.setEncoding('utf8');
            res.on('data', (chunk) => (body += chunk));
            res.on('end', () => resolve(body));
            res.on('error', reject);
          })
          .on('error', reject);
      }),
  };

  /** One request to /check: what the server received, and the spans this process made for it. */
  async function check(client) {
    recorder.keep = true;
    recorder.started = 0;
    recorder.ended = [];
    let active;
    const body = await inRequest(async () => {
      active = activeSpanId();
      return calls[client]('/check');
    });
    await new Promise((resolve) => setTimeout(resolve, 20)); // let the request's last events fire
    recorder.keep = false;
    const received = JSON.parse(body).traceparent;
    const result = { client, traceparent: received, started: recorder.started, ended: recorder.ended.length };
    if (side === undefined || side === 'untraced') {
      result.ok = received === null && recorder.ended.length === 0;
      return result;
    }
    const requestContext = request.spanContext();
    const [, traceId, spanId, flags] = TRACEPARENT.exec(received ?? '') ?? [];
    result.activeIsRequest = active === requestContext.spanId;
    if (sampling === 'on') {
      const span = recorder.ended[0];
      const parentId = span?.parentSpanContext?.spanId ?? span?.parentSpanId;
      result.ok =
        result.activeIsRequest &&
        recorder.started === 1 &&
        recorder.ended.length === 1 &&
        span.kind === clientKind &&
        parentId === requestContext.spanId &&
        spanId === span.spanContext().spanId &&
        traceId === requestContext.traceId &&
        (parseInt(flags, 16) & 1) === 1;
    } else {
      // Not sampled: no span reaches a processor; the trace (not sampled) still goes on. The flags'
      // other bits may be set (Tracewell sets W3C level 2's random-trace-id bit, 0x02).
      result.ok = result.activeIsRequest && recorder.started === 0 && recorder.ended.length === 0 && traceId === requestContext.traceId && (parseInt(flags, 16) & 1) === 0;
    }
    return result;
  }

  return { calls, inRequest, check };
}

/** Wall and client CPU time per request (ns) over n requests made one after another, in the request span. */
function round({ calls, inRequest }, client, n) {
  const call = calls[client];
  return inRequest(async () => {
    const cpu = process.cpuUsage();
    const start = performance.now();
    for (let i = 0; i < n; i++) await call();
    const elapsed = performance.now() - start;
    const used = process.cpuUsage(cpu);
    return { ns: (elapsed * 1e6) / n, cpuNs: ((used.user + used.system) * 1e3) / n };
  });
}

/**
 * Warm-up, before calibrating: fetch (Node's bundled undici, web streams) takes some thousands
 * of requests to reach its speed (the first hundreds cost 3 to 4 times more), http.get fewer.
 */
async function warmUp(bench, client, quick) {
  const calls = WARM_UP[client] / (quick ? 4 : 1);
  for (let done = 0; done < calls; done += 50) await round(bench, client, 50);
}

/** As harness.js calibrates: requests for a round of targetMs. */
function calibrate(bench, client, targetMs) {
  return calibrateCalls((n) => round(bench, client, n), targetMs);
}

/** In a child: one case; checks, calibrates, then runs a round each time the parent asks. */
async function child(variant) {
  const quick = process.argv.includes('--quick');
  const { targetMs, rounds } = settings(quick);
  const portAt = process.argv.indexOf('--port');
  const own = portAt === -1 ? await startServer() : undefined;
  const bench = setUp(variant, own?.port ?? Number(process.argv[portAt + 1]));
  const checks = [];
  for (const client of CLIENTS) checks.push(await bench.check(client));
  const check = { ok: checks.every((c) => c.ok), checks };
  if (process.send === undefined) {
    // Run by hand (e.g. under node --cpu-prof): the rounds in a row.
    const clientAt = process.argv.indexOf('--client');
    const clients = clientAt === -1 ? CLIENTS : [process.argv[clientAt + 1]];
    const result = { variant, check };
    for (const client of clients) {
      await warmUp(bench, client, quick);
      const n = await calibrate(bench, client, targetMs);
      const samples = [];
      for (let r = 0; r < rounds; r++) samples.push(await round(bench, client, n));
      result[client] = { ns: Math.round(median(samples.map((s) => s.ns))), cpuNs: Math.round(median(samples.map((s) => s.cpuNs))) };
    }
    console.log(JSON.stringify(result));
    own?.stop();
    process.exit(0); // the keep-alive sockets would keep the process up
  }
  const n = {};
  process.on('message', async (message) => {
    if (message === 'warm up') {
      for (const client of CLIENTS) await warmUp(bench, client, quick);
      process.send({ warm: true });
    } else if (message === 'calibrate') {
      for (const client of CLIENTS) n[client] = await calibrate(bench, client, targetMs);
      process.send({ calibrated: n });
    } else if (message?.round !== undefined) process.send(await round(bench, message.round, n[message.round]));
    else process.exit(0);
  });
  process.send({ check });
}

/** A forked case: ask(message) resolves with its answer. */
function spawn(variant, port, quick) {
  return forkCase(__filename, variant, ['--port', String(port), ...(quick ? ['--quick'] : [])]);
}

async function run({ quick = false } = {}) {
  const { rounds } = settings(quick);
  const srv = await startServer();
  const children = CASES.map((variant) => spawn(variant, srv.port, quick));
  try {
    for (const c of children) {
      const { check } = await c.ready;
      if (!check.ok) throw new Error(`bench child ${c.variant}: a request's span or trace header is not as expected: ${JSON.stringify(check)}`);
    }
    for (const c of children) await c.ask('warm up'); // unmeasured, but one at a time too (2 cores)
    for (const c of children) await c.ask('calibrate'); // one at a time, as every round
    const samples = Object.fromEntries(CASES.map((c) => [c, Object.fromEntries(CLIENTS.map((k) => [k, { ns: [], cpuNs: [] }]))]));
    for (let r = 0; r < rounds; r++) {
      for (const client of CLIENTS) {
        // Rotated each round, so no case always runs first or last.
        for (let i = 0; i < children.length; i++) {
          const c = children[(i + r) % children.length];
          const { ns, cpuNs } = await c.ask({ round: client });
          samples[c.variant][client].ns.push(ns);
          samples[c.variant][client].cpuNs.push(cpuNs);
        }
      }
    }
    const us = (ns) => Number((ns / 1000).toFixed(1));
    const ratio = (a, b) => Number((a / b).toFixed(2));
    const rows = [];
    for (const client of CLIENTS) {
      for (const sampling of ['on', 'off']) {
        for (const [metric, label] of [
          ['ns', 'wall'],
          ['cpuNs', 'client CPU'],
        ]) {
          const at = (variant) => median(samples[variant][client][metric]);
          const floor = at('untraced');
          const tw = at(`tracewell:${sampling}`);
          const otel = CASES.includes(`opentelemetry:${sampling}`) ? at(`opentelemetry:${sampling}`) : undefined;
          const row = { scenario: `${client}, ${sampling === 'on' ? 'sampled' : 'not sampled'}: ${label}`, 'untraced µs/call': us(floor), 'tracewell µs/call': us(tw) };
          if (otel !== undefined) row['opentelemetry µs/call'] = us(otel);
          row['tracewell / untraced'] = ratio(tw, floor);
          if (otel !== undefined) {
            row['opentelemetry / untraced'] = ratio(otel, floor);
            row['tracewell added / opentelemetry added'] = ratio(tw - floor, otel - floor);
          }
          rows.push(row);
        }
      }
    }
    return rows;
  } finally {
    await Promise.all(children.map((c) => c.close()));
    srv.stop();
  }
}

module.exports = { run };

const childAt = process.argv.indexOf('--child');
if (process.argv.includes('--server') && require.main === module) server();
else if (childAt !== -1 && require.main === module)
  child(process.argv[childAt + 1]).catch((error) => {
    console.error(error);
    process.exit(1);
  });
else require('./harness').runIfMain(module, run);
