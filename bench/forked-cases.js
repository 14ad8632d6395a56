'use strict';
// What the suites that run each case in a process of its own share (bench/opentelemetry-bridge.js,
// bench/http-client.js): the OpenTelemetry API and instrumentations are process-global, so each
// side lives in a child forked from the suite's own file, which runs one round at a time when
// asked, in turn with the others, as harness.js interleaves its cases.

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Rounds and round length as harness.js reads them (BENCH_ROUNDS, BENCH_ROUND_MS, --quick). */
function settings(quick) {
  const rounds = Number(process.env.BENCH_ROUNDS ?? 7);
  const targetMs = Number(process.env.BENCH_ROUND_MS ?? 150);
  return quick ? { rounds: Math.min(rounds, 3), targetMs: Math.min(targetMs, 40) } : { rounds, targetMs };
}

/**
 * Forks `script --child <variant> ...args`: `ready` resolves with its first message, `ask(message)`
 * with its answer to a message, `close()` once it has exited.
 */
function forkCase(script, variant, args) {
  const { fork } = require('node:child_process');
  const proc = fork(script, ['--child', variant, ...args], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let pending;
  let exited;
  proc.on('message', (m) => pending?.resolve(m));
  proc.on('exit', (code) => {
    exited = new Error(`bench child ${variant} exited (${code})`);
    pending?.reject(exited);
  });
  const next = () =>
    new Promise((resolve, reject) => {
      if (exited) reject(exited);
      pending = { resolve, reject };
    });
  const ready = next();
  ready.catch(() => undefined); // awaited later, in turn: not an unhandled rejection meanwhile
  return {
    variant,
    ready,
    ask(message) {
      const answer = next();
      proc.send(message);
      return answer;
    },
    close: () => new Promise((resolve) => (exited ? resolve() : (proc.once('exit', resolve), proc.send('exit')))),
  };
}

/**
 * A span processor that discards, as both sides' are, but keeps the spans it sees while
 * `recorder.keep` is set: the one checked call a case makes before it is measured.
 */
function recordingProcessor() {
  const recorder = { keep: false, started: 0, ended: [] };
  const processor = {
    onStart() {
      if (recorder.keep) recorder.started++;
    },
    onEnd(span) {
      if (recorder.keep) recorder.ended.push(span);
    },
    forceFlush: async () => {},
    shutdown: async () => {},
  };
  return { recorder, processor };
}

/**
 * As harness.js calibrates, for asynchronous calls: how many calls make a round of `targetMs`,
 * given `measure(n)`, which makes n calls and resolves with `{ ns }` per call.
 */
async function calibrateCalls(measure, targetMs) {
  let iterations = 50;
  for (;;) {
    const elapsed = ((await measure(iterations)).ns * iterations) / 1e6;
    if (elapsed > targetMs / 4) return Math.ceil((iterations * targetMs) / elapsed);
    iterations *= 4;
  }
}

module.exports = { median, settings, forkCase, recordingProcessor, calibrateCalls };
