'use strict';
// Load generator child of the server benchmarks (bench/server/run.js, bench/server/memory.js).
//
// Started by lib.js with an IPC channel (pinned to CPU 0 with `taskset -c 0` when available,
// so it never competes with the server pinned to CPU 1), it runs autocannon's programmatic API
// on request: it receives `{ id, options }` (autocannon options: url, connections, duration
// or amount) and answers `{ id, result }` with the numbers the runners need, or `{ id, error }`.
// It exits when the parent disconnects.
const autocannon = require('autocannon');

function summary(result) {
  return {
    requests: result.requests.total, // completed responses
    sent: result.requests.sent,
    duration: result.duration, // seconds
    reqPerSec: result.requests.total / result.duration,
    p50: result.latency.p50, // ms
    p99: result.latency.p99,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    resets: result.resets,
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, stats]) => [code, stats.count])),
  };
}

process.on('message', ({ id, options }) => {
  autocannon({ pipelining: 1, ...options }).then(
    (result) => process.send({ id, result: summary(result) }),
    (error) => process.send({ id, error: String(error?.stack ?? error) }),
  );
});
process.on('disconnect', () => process.exit(0));
