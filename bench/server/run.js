'use strict';
// Server overhead: what tracing every request costs a real HTTP server, Tracewell next to
// OpenTelemetry JS, each against the same app untraced.
//
//   node bench/server/run.js [--quick]      (or require('./bench/server/run.js').run({ quick }))
//
// Groups: Express 4, Express 5, Koa 3 (+ @koa/router), and a hop (Express 5 front calling an
// Express 5 back end with axios; two processes). Variants: untraced, tracewell
// (createTracer always_on + traceMiddleware [+ traceAxios]), opentelemetry (NodeTracerProvider,
// AlwaysOnSampler, BatchSpanProcessor, http + express/koa instrumentations). Both SDKs export
// to an exporter that discards, so this is the instrumentation's own cost. See app.js.
//
// Each measurement spawns a fresh server process (`taskset -c 1` when available) and drives
// `GET /users/42` with autocannon in a child process pinned to CPU 0 (lib.js, load.js): a
// warm-up, then the measured run, both with the same connection count for every variant.
// Recorded: req/s, p50/p99 latency, server CPU per request (utime+stime from /proc/<pid>/stat
// just before and after the measured run, in CLK_TCK ticks, divided by the requests completed),
// server RSS at the end (/proc/<pid>/status VmRSS), and the spans the server exported (its
// GET /__spans, after the load). For the hop, CPU, RSS and spans are the sum over both
// processes. Any error, timeout or non-2xx answer fails the run, and so does a span count that
// shows the instrumentation did not work (untraced: 0 spans; tracewell: >= 1 per request, 3
// for the hop; OpenTelemetry: >= 2 per request, i.e. the framework instrumentation patched,
// not just http; >= 4 for the hop).
//
// Variants of a group alternate (A B C A B C ...) for ROUNDS rounds; the table gives medians.
// "added CPU" is the variant's CPU per request minus the untraced one's, and the tracewell row
// carries the group's "tracewell added / otel added" ratio.
//
// Full: 3 rounds, 2 s warm-up, 6 s measured (the 36 measurements take about 5 minutes; the
// brief's 10 s would take more than 7). Quick: 1 round, 0.5 s warm-up, 2 s measured.
// Overrides: BENCH_SERVER_ROUNDS, BENCH_SERVER_WARMUP_S, BENCH_SERVER_SECONDS,
// BENCH_SERVER_CONNECTIONS. The machine is shared and noisy: compare ratios within one run.
const { PINNED, clockTicks, startServer, startLoad, checkClean, checkSpans } = require('./lib');

const GROUPS = [
  { group: 'Express 4', app: 'express4' },
  { group: 'Express 5', app: 'express5' },
  { group: 'Koa 3', app: 'koa' },
  { group: 'hop: Express 5 -> axios -> Express 5', app: 'hop' },
];
const KINDS = [
  { kind: 'untraced', label: 'untraced' },
  { kind: 'tracewell', label: 'tracewell' },
  { kind: 'otel', label: 'opentelemetry' },
];

function settings(quick) {
  const env = (name, fallback) => (process.env[name] === undefined ? fallback : Number(process.env[name]));
  return {
    rounds: env('BENCH_SERVER_ROUNDS', quick ? 1 : 3),
    warmup: env('BENCH_SERVER_WARMUP_S', quick ? 0.5 : 2),
    duration: env('BENCH_SERVER_SECONDS', quick ? 2 : 6),
    connections: env('BENCH_SERVER_CONNECTIONS', 10),
  };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** One measurement of one variant in a fresh server process. */
async function measure(load, variant, kind, app, { warmup, duration, connections }) {
  const server = await startServer(variant);
  try {
    const url = `${server.url}/users/42`;
    const warm = await load.run({ url, connections, duration: warmup });
    checkClean(warm, `${variant} warm-up`);
    const before = server.cpuTicks();
    const result = await load.run({ url, connections, duration });
    const after = server.cpuTicks();
    checkClean(result, variant);
    const rssKb = server.rssKb();
    if (server.exited) throw new Error(`server ${variant} exited during the run`);
    const { spans, names } = await server.spans();
    const served = warm.requests + result.requests;
    const spansPerRequest = checkSpans(kind, app, spans, served, names);
    return {
      reqPerSec: result.reqPerSec,
      p50: result.p50,
      p99: result.p99,
      cpuUsPerReq: (((after - before) / clockTicks()) * 1e6) / result.requests,
      rssMb: rssKb / 1024,
      spans,
      spansPerRequest,
      names,
    };
  } finally {
    await server.stop();
  }
}

async function run({ quick = false } = {}) {
  const s = settings(quick);
  if (!PINNED) console.error('bench/server: taskset not available (or 1 CPU): server and load generator are not pinned');
  const load = startLoad();
  const rows = [];
  try {
    for (const { group, app } of GROUPS) {
      const samples = Object.fromEntries(KINDS.map(({ kind }) => [kind, []]));
      for (let round = 0; round < s.rounds; round++) {
        for (const { kind } of KINDS) {
          const variant = `${app}-${kind}`;
          const m = await measure(load, variant, kind, app, s);
          samples[kind].push(m);
          console.error(`  ${group} round ${round + 1}/${s.rounds} ${kind}: ${Math.round(m.reqPerSec)} req/s, ${m.cpuUsPerReq.toFixed(1)} CPU us/req, ${m.spansPerRequest.toFixed(2)} spans/req`);
        }
      }
      const med = (kind, key) => median(samples[kind].map((m) => m[key]));
      const baseRps = med('untraced', 'reqPerSec');
      const baseCpu = med('untraced', 'cpuUsPerReq');
      const added = (kind) => med(kind, 'cpuUsPerReq') - baseCpu;
      for (const { kind, label } of KINDS) {
        rows.push({
          group,
          variant: label,
          'req/s': Math.round(med(kind, 'reqPerSec')),
          'req/s vs untraced': (med(kind, 'reqPerSec') / baseRps).toFixed(2),
          'CPU µs/req': med(kind, 'cpuUsPerReq').toFixed(1),
          'CPU vs untraced': (med(kind, 'cpuUsPerReq') / baseCpu).toFixed(2),
          'added CPU µs/req': kind === 'untraced' ? '' : added(kind).toFixed(1),
          'tracewell added / otel added': kind === 'tracewell' ? (added('tracewell') / added('otel')).toFixed(2) : '',
          'p50 ms': med(kind, 'p50'),
          'p99 ms': med(kind, 'p99'),
          'RSS MB': med(kind, 'rssMb').toFixed(0),
          'spans seen': Math.round(med(kind, 'spans')),
          'spans/req': med(kind, 'spansPerRequest').toFixed(2),
        });
      }
    }
  } finally {
    await load.stop();
  }
  return rows;
}

module.exports = { run };

require('../harness').runIfMain(module, run);
