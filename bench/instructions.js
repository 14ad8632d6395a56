'use strict';
// Instructions per request: what tracing costs a server, counted by valgrind instead of timed.
//
//   npm run bench -- --instructions [--quick]      (or node bench/instructions.js [--quick])
//
// Wall-clock ratios on a shared 2-core machine swing by 0.2 between rounds; instruction counts
// repeat to a few percent. Each measurement runs one server variant of bench/server/app.js
// under `valgrind --tool=cachegrind --cache-sim=no` with node's `--single-threaded
// --predictable-gc-schedule` (without them the JIT and GC threads move results by up to 30%),
// sends it N keep-alive `GET /users/42` requests (concurrency 4) from a load process outside
// valgrind (autocannon, bench/server/load.js), checks the spans it exported, stops it (with one
// last full garbage collection, so no run leaves its collector's debt unpaid), and reads the
// instructions cachegrind counted over the whole process. A second process of the same
// variant serves N2 requests at the same time (the machine has two cores), and
//
//   instructions per request = (I(N2) - I(N1)) / (N2 - N1)
//
// so start-up, warm-up and the shutdown cancel out. For the hop (Express 5 front -> axios ->
// Express 5 back end, two processes) valgrind follows the child (--trace-children=yes) and the
// two processes' counts are summed.
//
// Groups: Express 5, Koa 3 (+ @koa/router), hop. Variants (app.js): untraced, als (an
// AsyncLocalStorage.run per request, the floor of any tracer that keeps context), headers (hop
// only: als plus the two default trace headers with constant values on the axios call, the
// floor of a tracer that also propagates), unsampled
// (Tracewell, sampler always_off), sampled (Tracewell, always_on), opentelemetry (SDK with its
// http + express/koa instrumentations). Both tracers export to an exporter that discards.
// Node.js: 24 and 20 by default, the npm registry's binaries (scripts/node-binary.js).
//
// Targets (issue 20), per group: unsampled <= als + 3% of untraced; sampled <= untraced + 20%,
// and sampled's added instructions <= a quarter of OpenTelemetry's added.
//
// Full: N1 = 3,000, N2 = 9,000, one round. On the 2-core development machine a variant of
// Express 5 or Koa takes 35-80 s on Node.js 24 (OpenTelemetry the longest) and 3-8 minutes on
// Node.js 20; a hop variant takes several times that. Quick: 1,000 and 3,000 (less of the code
// is optimized by then, so counts are higher). Overrides: BENCH_INSTR_N1, BENCH_INSTR_N2, BENCH_INSTR_CONNECTIONS,
// BENCH_INSTR_ROUNDS (2+ prints the spread between rounds: the method's repeatability),
// BENCH_INSTR_NODES (e.g. 24), BENCH_INSTR_GROUPS (e.g. express5,koa), BENCH_INSTR_KINDS,
// BENCH_INSTR_KEEP=DIR (keeps each run's cachegrind files in DIR/<variant>-<N>, for cg_annotate or
// cg_diff: a per-function diff of two variants is how the costs in BENCHMARKS.md were found).
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { matrixSupported, nodeBinary } = require('../scripts/node-binary');
const { startServer, startLoad, checkClean, checkSpans } = require('./server/lib');

const GROUPS = [
  { group: 'Express 5', app: 'express5' },
  { group: 'Koa 3', app: 'koa' },
  { group: 'hop: Express 5 -> axios -> Express 5', app: 'hop' },
];
const KINDS = [
  { kind: 'untraced', label: 'untraced' },
  { kind: 'als', label: 'AsyncLocalStorage only' },
  // Hop only: ALS plus the default trace headers, constant (see app.js).
  { kind: 'headers', label: 'ALS + constant trace headers', hopOnly: true },
  { kind: 'unsampled', label: 'Tracewell unsampled' },
  { kind: 'tracewell', label: 'Tracewell sampled' },
  { kind: 'otel', label: 'OpenTelemetry' },
];

function list(name, fallback) {
  return (process.env[name] ?? fallback).split(',').map((s) => s.trim()).filter(Boolean);
}

function settings(quick) {
  const env = (name, fallback) => (process.env[name] === undefined ? fallback : Number(process.env[name]));
  const s = {
    n1: env('BENCH_INSTR_N1', quick ? 1000 : 3000),
    n2: env('BENCH_INSTR_N2', quick ? 3000 : 9000),
    connections: env('BENCH_INSTR_CONNECTIONS', 4),
    rounds: env('BENCH_INSTR_ROUNDS', 1),
    nodes: list('BENCH_INSTR_NODES', '24,20'),
    groups: GROUPS.filter(({ app }) => list('BENCH_INSTR_GROUPS', GROUPS.map((g) => g.app).join(',')).includes(app)),
    kinds: KINDS.filter(({ kind }) => list('BENCH_INSTR_KINDS', KINDS.map((k) => k.kind).join(',')).includes(kind)),
  };
  if (!(s.n2 > s.n1 && s.n1 > 0)) throw new Error(`BENCH_INSTR_N1/N2: need 0 < N1 < N2 (got ${s.n1}, ${s.n2})`);
  return s;
}

function valgrindVersion() {
  try {
    return execFileSync('valgrind', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

/** The binary of Node.js `major`: this process's own when it is that major, else the registry's. */
function binaryFor(major) {
  if (process.versions.node.split('.')[0] === major) return process.execPath;
  if (!matrixSupported) throw new Error(`Node.js ${major}: the registry's binaries are linux-x64 only`);
  return nodeBinary(major, { stdio: ['ignore', 'ignore', 'inherit'] });
}

// V8 13 (Node.js 24) picks its string-hash secrets at start-up by testing random numbers for
// primality (rapidhash's make_secret, `detail::sprp`): 5 to 9 million instructions per process,
// at random, which put +-0.7k on one request's count at N2 - N1 = 6,000. It is left out.
const STARTUP_AT_RANDOM = /^fn=detail::sprp\(/;

/**
 * Sum of the `summary:` totals of every cachegrind output file in `dir`, less the start-up work
 * whose length is random ({@link STARTUP_AT_RANDOM}), and how many files there were.
 */
function readTotals(dir) {
  const files = fs.readdirSync(dir).filter((f) => f.startsWith('cachegrind.out.'));
  let total = 0;
  for (const file of files) {
    const text = fs.readFileSync(path.join(dir, file), 'utf8');
    const match = /^summary:\s+(\d+)/m.exec(text);
    if (match === null) throw new Error(`${file}: no summary line (did valgrind finish writing it?)`);
    total += Number(match[1]) - countOf(text, STARTUP_AT_RANDOM);
  }
  return { total, files: files.length };
}

/** Instructions cachegrind counted in the functions whose `fn=` line matches `pattern`. */
function countOf(text, pattern) {
  let sum = 0;
  let inside = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('fn=')) inside = pattern.test(line);
    else if (inside && line.length > 0 && line.charCodeAt(0) >= 48 && line.charCodeAt(0) <= 57) sum += Number(line.slice(line.indexOf(' ') + 1));
  }
  return sum;
}

/** Copies a run's cachegrind files to `target` (BENCH_INSTR_KEEP), for cg_annotate and cg_diff. */
function keepFiles(dir, target) {
  fs.mkdirSync(target, { recursive: true });
  for (const file of fs.readdirSync(dir)) fs.copyFileSync(path.join(dir, file), path.join(target, file));
}

/** Instructions of one whole server process (or two, for the hop) that served `requests`. */
async function countInstructions(load, node, app, kind, requests, connections) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracewell-instr-'));
  const variant = `${app}-${kind}`;
  try {
    const wrapper = ['valgrind', '--tool=cachegrind', '--cache-sim=no', `--cachegrind-out-file=${path.join(dir, 'cachegrind.out.%p')}`, '--log-file=/dev/null'];
    if (app === 'hop') wrapper.push('--trace-children=yes');
    const server = await startServer(variant, { node, wrapper, nodeArgs: ['--single-threaded', '--predictable-gc-schedule', '--expose-gc'], pin: false, stopMillis: 60_000 });
    try {
      const result = await load.run({ url: `${server.url}/users/42`, connections, amount: requests, timeout: 60 });
      checkClean(result, `${variant} under valgrind`);
      if (result.requests !== requests) throw new Error(`${variant}: ${result.requests} of ${requests} requests answered`);
      const { spans, names } = await server.spans();
      checkSpans(kind, app, spans, requests, names);
    } finally {
      await server.stop();
    }
    const { total, files } = readTotals(dir);
    const expected = app === 'hop' ? 2 : 1;
    if (files !== expected) throw new Error(`${variant}: ${files} cachegrind files, expected ${expected}`);
    if (process.env.BENCH_INSTR_KEEP) keepFiles(dir, path.join(process.env.BENCH_INSTR_KEEP, `${variant}-${requests}`));
    return total;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Thousands of instructions per request of one variant: N1 and N2 served side by side. */
async function perRequest(load, node, app, kind, s) {
  const [i1, i2] = await Promise.all([s.n1, s.n2].map((n) => countInstructions(load, node, app, kind, n, s.connections)));
  return (i2 - i1) / (s.n2 - s.n1) / 1000;
}

// The mean of the middle two for an even count (two rounds give their mean).
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const k = (value) => (value === undefined ? '-' : value.toFixed(0));
const percent = (value) => `${value >= 0 ? '+' : ''}${(value * 100).toFixed(1)}%`;

/** The group's row: per-request instructions, ratios and the targets. */
function row(nodeVersion, group, values, spread) {
  const { untraced, als, headers, unsampled, tracewell: sampled, otel } = values;
  const r = { Node: nodeVersion, group };
  for (const { kind, label } of KINDS) r[`${label} (k instr/req)`] = k(values[kind]);
  if (untraced !== undefined && als !== undefined && unsampled !== undefined) {
    const bound = als + 0.03 * untraced;
    r['unsampled - ALS floor'] = percent((unsampled - als) / untraced);
    r['unsampled target (<= ALS + 3%)'] = `${unsampled <= bound ? 'met' : 'not met'} (${k(unsampled)} vs ${k(bound)})`;
  }
  // Not one of the targets: how far unsampled is over a floor that also sends the headers.
  if (untraced !== undefined && headers !== undefined && unsampled !== undefined) {
    r['unsampled - ALS + headers floor'] = percent((unsampled - headers) / untraced);
  }
  if (untraced !== undefined && sampled !== undefined) {
    r['sampled added'] = percent((sampled - untraced) / untraced);
    const bounds = [1.2 * untraced];
    if (otel !== undefined) {
      r['sampled added / OTel added'] = ((sampled - untraced) / (otel - untraced)).toFixed(2);
      bounds.push(untraced + (otel - untraced) / 4);
    }
    const bound = Math.min(...bounds);
    r['sampled target (<= +20%, <= 1/4 OTel added)'] = `${sampled <= bound ? 'met' : 'not met'} (${k(sampled)} vs ${k(bound)})`;
  }
  if (spread !== undefined) r['spread between rounds'] = `${(spread * 100).toFixed(1)}%`;
  return r;
}

async function run({ quick = false } = {}) {
  const version = valgrindVersion();
  if (version === undefined) {
    const note = 'valgrind not found: instruction counts need it (Debian: apt-get install valgrind). Nothing was measured.';
    console.error(`bench/instructions: ${note}`);
    return [{ note }];
  }
  const s = settings(quick);
  console.error(`bench/instructions: ${version}, N1 = ${s.n1}, N2 = ${s.n2}, concurrency ${s.connections}, ${s.rounds} round(s)`);
  const load = startLoad();
  const rows = [];
  try {
    for (const major of s.nodes) {
      const node = binaryFor(major);
      const nodeVersion = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
      for (const { group, app } of s.groups) {
        const kinds = s.kinds.filter(({ hopOnly }) => app === 'hop' || !hopOnly);
        const samples = Object.fromEntries(kinds.map(({ kind }) => [kind, []]));
        for (let round = 0; round < s.rounds; round++) {
          for (const { kind } of kinds) {
            const started = Date.now();
            const value = await perRequest(load, node, app, kind, s);
            samples[kind].push(value);
            console.error(`  ${nodeVersion} ${group} round ${round + 1}/${s.rounds} ${kind}: ${value.toFixed(1)}k instructions/request (${((Date.now() - started) / 1000).toFixed(0)} s)`);
          }
        }
        const values = Object.fromEntries(kinds.map(({ kind }) => [kind, median(samples[kind])]));
        const spread = s.rounds < 2 ? undefined : Math.max(...kinds.map(({ kind }) => (Math.max(...samples[kind]) - Math.min(...samples[kind])) / median(samples[kind])));
        rows.push(row(nodeVersion, group, values, spread));
      }
    }
  } finally {
    await load.stop();
  }
  return rows;
}

module.exports = { run };

require('./harness').runIfMain(module, run);
