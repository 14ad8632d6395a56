'use strict';
// Backend faults: does a collector that hangs or fails slow the traced app down? The promise is
// that export runs off the request path (bounded queue, one export at a time, timeouts), so an
// app's req/s and p99 with a broken collector should match those with a healthy one, within the
// noise. The reliability suite (test/reliability/backend-chaos.test.ts) checks the accounting;
// timing lives here.
//
//   node bench/backend-fault.js [--quick]      (or require('./bench/backend-fault.js').run({ quick }))
//
// Collectors, in this process on 127.0.0.1: healthy (reads the batch, answers 200), hanging
// (reads it and never answers) and unavailable (answers 503, so the exporter retries with
// backoff). For each measurement a fresh app process (this file with `--app <collector URL>`,
// pinned to CPU 1 when taskset exists) runs Express 5 + traceMiddleware with createTracer's
// defaults (always_on, default batch processor) and an OTLPTraceExporter with its defaults;
// autocannon (bench/server/load.js, pinned to CPU 0) drives GET /users/42 with 10 connections:
// a warm-up, then the measured run. Modes alternate round by round; the table gives medians and
// ratios against the healthy collector of the same run. The app's tracer stats (read through
// GET /__stats, not traced) show that the faults really bit: nothing exported when the
// collector hangs or fails, spans dropped instead.
//
// Full: 3 rounds, 2 s warm-up, 6 s measured. Quick: 1 round, 0.5 s warm-up, 2 s measured.
const { spawn } = require('node:child_process');
const http = require('node:http');
const { createInterface } = require('node:readline');
const { PINNED, startLoad, checkClean } = require('./server/lib');
const { runIfMain } = require('./harness');

const CONNECTIONS = 10;
const MODES = ['healthy', 'hanging', 'unavailable'];

// ---- The app (child process) ----------------------------------------------------------------

function app(collectorUrl) {
  const express = require('express');
  const { createTracer } = require('@tracewell/core');
  const { traceMiddleware } = require('@tracewell/express');
  const { OTLPTraceExporter } = require('@tracewell/otlp');
  const tracer = createTracer({ serviceName: 'bench-backend-fault', sampler: 'always_on', logger: { warn() {} }, exporter: new OTLPTraceExporter({ url: collectorUrl, logger: { warn() {} } }) });
  const ex = express();
  ex.use(traceMiddleware({ tracer, ignore: ['/__stats'] }));
  ex.get('/users/:id', (req, res) => res.json({ id: req.params.id, name: `User ${req.params.id}`, roles: ['reader', 'editor'] }));
  ex.get('/__stats', (req, res) => res.json(tracer.stats()));
  const server = ex.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`));
  server.keepAliveTimeout = 60_000;
  // Exit at once on SIGTERM or when the parent goes (stdin closes): spans still queued do not matter here.
  process.once('SIGTERM', () => process.exit(0));
  process.stdin.once('end', () => process.exit(0));
  process.stdin.resume();
}

// ---- The runner -------------------------------------------------------------------------------

/** A local OTLP collector that behaves as `mode`; resolves with its URL and a stop(). */
async function startCollector(mode) {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (mode === 'healthy') res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      else if (mode === 'unavailable') res.writeHead(503).end();
      // hanging: no answer; the exporter's timeouts end the request
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/v1/traces`,
    stop: () => new Promise((resolve) => (server.closeAllConnections(), server.close(resolve))),
  };
}

function getJson(url) {
  return new Promise((resolve, reject) => {
    http.get(url, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve(JSON.parse(body)));
    }).on('error', reject);
  });
}

/** Starts the app process against `collectorUrl` and waits until it listens. */
async function startApp(collectorUrl) {
  const args = [__filename, '--app', collectorUrl];
  const [command, argv] = PINNED ? ['taskset', ['-c', '1', process.execPath, ...args]] : [process.execPath, args];
  const child = spawn(command, argv, { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const { port } = await Promise.race([
    new Promise((resolve) => createInterface({ input: child.stdout }).once('line', (line) => resolve(JSON.parse(line)))),
    exited.then((code) => Promise.reject(new Error(`backend-fault app exited before listening (code ${code})`))),
  ]);
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () => (child.kill('SIGTERM'), exited),
  };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function measure(load, collector, { warmup, duration }) {
  const app = await startApp(collector.url);
  try {
    const url = `${app.url}/users/42`;
    checkClean(await load.run({ url, connections: CONNECTIONS, duration: warmup }), 'backend-fault warm-up');
    const result = await load.run({ url, connections: CONNECTIONS, duration });
    checkClean(result, 'backend-fault');
    return { reqPerSec: result.reqPerSec, p50: result.p50, p99: result.p99, stats: await getJson(`${app.url}/__stats`) };
  } finally {
    await app.stop();
  }
}

async function run({ quick = false } = {}) {
  const settings = { rounds: quick ? 1 : 3, warmup: quick ? 0.5 : 2, duration: quick ? 2 : 6 };
  const collectors = Object.fromEntries(await Promise.all(MODES.map(async (mode) => [mode, await startCollector(mode)])));
  const load = startLoad();
  const samples = Object.fromEntries(MODES.map((mode) => [mode, []]));
  try {
    for (let round = 0; round < settings.rounds; round++) {
      for (const mode of MODES) samples[mode].push(await measure(load, collectors[mode], settings));
    }
  } finally {
    await load.stop();
    await Promise.all(Object.values(collectors).map((c) => c.stop()));
  }
  const med = (mode, key) => median(samples[mode].map((m) => m[key]));
  const rows = MODES.map((mode) => {
    const last = samples[mode][samples[mode].length - 1].stats;
    const dropped = last.spansDropped;
    return {
      collector: mode,
      'req/s': Math.round(med(mode, 'reqPerSec')),
      'req/s vs healthy': (med(mode, 'reqPerSec') / med('healthy', 'reqPerSec')).toFixed(2),
      'p50 ms': med(mode, 'p50'),
      'p99 ms': med(mode, 'p99'),
      'p99 vs healthy': (med(mode, 'p99') / med('healthy', 'p99')).toFixed(2),
      'spans ended (last run)': last.spansEnded,
      exported: last.spansExported,
      'dropped queueFull / exportFailed': `${dropped.queueFull} / ${dropped.exportFailed}`,
    };
  });
  // The faults must have bitten, and the healthy collector must have worked: otherwise the ratios mean nothing.
  const exported = Object.fromEntries(rows.map((r) => [r.collector, r.exported]));
  if (exported.healthy === 0 || exported.hanging !== 0 || exported.unavailable !== 0) {
    throw new Error(`backend-fault: unexpected exports ${JSON.stringify(exported)}`);
  }
  return rows;
}

if (process.argv[2] === '--app') app(process.argv[3]);
else runIfMain(module, run);

module.exports = { run };
