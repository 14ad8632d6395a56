'use strict';
// Minimal side-by-side micro-benchmark harness. Cases of one scenario run interleaved, round
// by round, so machine noise hits all of them alike; the median round is reported.
const { performance } = require('node:perf_hooks');

let ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
let TARGET_MS = Number(process.env.BENCH_ROUND_MS ?? 150);

/** Quick mode (`npm run bench -- --quick`): fewer, shorter rounds. */
function configure({ quick }) {
  if (quick) {
    ROUNDS = Math.min(ROUNDS, 3);
    TARGET_MS = Math.min(TARGET_MS, 40);
  }
}

function calibrate(fn) {
  let iterations = 1000;
  for (;;) {
    const start = performance.now();
    for (let i = 0; i < iterations; i++) fn();
    const elapsed = performance.now() - start;
    if (elapsed > TARGET_MS / 4) return Math.ceil((iterations * TARGET_MS) / elapsed);
    iterations *= 4;
  }
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * Runs each case of a scenario and returns nanoseconds per operation (median of ROUNDS).
 * @param {Record<string, () => void>} cases
 */
function measure(cases) {
  const names = Object.keys(cases);
  const iterations = Object.fromEntries(names.map((n) => [n, calibrate(cases[n])]));
  const samples = Object.fromEntries(names.map((n) => [n, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of names) {
      const fn = cases[name];
      const n = iterations[name];
      const start = performance.now();
      for (let i = 0; i < n; i++) fn();
      samples[name].push(((performance.now() - start) * 1e6) / n);
    }
  }
  return Object.fromEntries(names.map((n) => [n, median(samples[n])]));
}

/**
 * Lets a benchmark file run on its own (`node bench/x.js [--quick]`): call at the end of the
 * file with its `module` and `run`.
 */
function runIfMain(mod, run) {
  if (require.main !== mod) return;
  const quick = process.argv.includes('--quick');
  configure({ quick });
  run({ quick }).then(
    (rows) => console.table(rows),
    (error) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}

module.exports = { measure, configure, runIfMain };
