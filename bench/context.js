'use strict';
// Cost of a context manager on the hot path: `tracer.startActiveSpan(name, fn)`, with an awaited
// promise inside (async) and without (sync), for the default AsyncLocalStorage manager and for
// @tracewell/context-cls-hooked.
//   npm run build && node bench/context.js [--quick]
// cls-hooked enables a process-wide async hook as soon as a namespace exists, and that hook
// taxes every promise, whichever manager is in use. So the default manager is measured first,
// before cls-hooked is loaded, then again once it is ("default, cls-hooked namespace active").
const { performance } = require('node:perf_hooks');
const tw = require('@tracewell/core');
const { measure } = require('./harness');

const ROUNDS = 5;
const discard = { onStart() {}, onEnd() {}, forceFlush: async () => {}, shutdown: async () => {} };

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function tracerWith(contextManager) {
  return tw.createTracer({ sampler: 'always_on', spanProcessors: [discard], ...(contextManager ? { contextManager } : {}) });
}

/** ns per awaited `startActiveSpan` with an awaited promise inside: median of ROUNDS rounds of n. */
async function timeAsync(tracer, n) {
  const body = async (span) => {
    await Promise.resolve();
    span.end();
  };
  for (let i = 0; i < n / 10; i++) await tracer.startActiveSpan('op', body); // warm-up
  const samples = [];
  for (let round = 0; round < ROUNDS; round++) {
    const start = performance.now();
    for (let i = 0; i < n; i++) await tracer.startActiveSpan('op', body);
    samples.push(((performance.now() - start) * 1e6) / n);
  }
  return median(samples);
}

function syncCase(tracer) {
  return () => tracer.startActiveSpan('op', (span) => span.end());
}

async function run({ quick = false } = {}) {
  const n = quick ? 5000 : 20000;
  const rows = [];
  const add = (manager, sync, asyncNs) => rows.push({ manager, 'sync ns/op': Math.round(sync), 'async ns/op': Math.round(asyncNs) });

  const defaultTracer = tracerWith(undefined);
  const before = measure({ default: syncCase(defaultTracer) });
  add('default (AsyncLocalStorage)', before.default, await timeAsync(defaultTracer, n));

  const { clsHookedContextManager } = require('@tracewell/context-cls-hooked');
  const clsTracer = tracerWith(clsHookedContextManager({ namespace: 'tracewell-bench' }));
  const sync = measure({ default: syncCase(defaultTracer), cls: syncCase(clsTracer) });
  add('cls-hooked', sync.cls, await timeAsync(clsTracer, n));
  add('default, cls-hooked namespace active', sync.default, await timeAsync(defaultTracer, n));
  return rows;
}

module.exports = { run };

require('./harness').runIfMain(module, run);
