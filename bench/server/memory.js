'use strict';
// Server memory under tracing: does a traced server's heap keep growing with the requests it
// has served (a leak per request or per span), or does it level off?
//
//   node bench/server/memory.js [--quick]      (or require('./bench/server/memory.js').run({ quick }))
//
// One Express 5 + Tracewell server process (always_on sampler, discarding exporter, see app.js)
// started with --expose-gc, pinned like the overhead benchmark (lib.js). Its heap is read after
// start, then after 10,000 requests, then after 100,000 in total (quick: 10,000 and 20,000),
// sent by autocannon (`amount`, 10 connections, in a child pinned to CPU 0). Each reading is
// the server's GET /__heap: flush the tracer (so no span waits in the export queue), run
// global.gc() twice, return process.memoryUsage(). Growth is against the previous row;
// "bytes/request" is that growth divided by the requests sent since. A few hundred KB between
// readings is allocator and JIT noise; a leak of even 100 bytes per request would show up as
// ~9 MB between 10,000 and 100,000. Any error, non-2xx answer or span count other than one per
// request fails the run.
const { startServer, startLoad, checkClean } = require('./lib');

const VARIANT = 'express5-tracewell';
const CONNECTIONS = 10;

async function run({ quick = false } = {}) {
  const targets = quick ? [10_000, 20_000] : [10_000, 100_000];
  const server = await startServer(VARIANT, { nodeArgs: ['--expose-gc'] });
  const load = startLoad();
  const rows = [];
  try {
    let served = 0;
    let previous;
    const read = async () => {
      const heap = await server.get('/__heap');
      const { spans } = await server.spans();
      if (spans !== served) throw new Error(`${VARIANT}: ${spans} spans exported for ${served} requests (expected one per request)`);
      const heapMb = heap.heapUsed / 2 ** 20;
      const rssMb = heap.rss / 2 ** 20;
      const row = {
        requests: served.toLocaleString('en'),
        'heapUsed MB': heapMb.toFixed(2),
        'heap growth MB': previous === undefined ? '' : (heapMb - previous.heapMb).toFixed(2),
        'heap bytes/request': previous === undefined ? '' : ((heap.heapUsed - previous.heapUsed) / (served - previous.served)).toFixed(1),
        'RSS MB': rssMb.toFixed(1),
        'RSS growth MB': previous === undefined ? '' : (rssMb - previous.rssMb).toFixed(1),
        'spans exported': spans.toLocaleString('en'),
      };
      previous = { heapMb, rssMb, heapUsed: heap.heapUsed, served };
      rows.push(row);
    };
    await read();
    for (const target of targets) {
      const amount = target - served;
      const result = await load.run({ url: `${server.url}/users/42`, connections: CONNECTIONS, amount });
      checkClean(result, `${VARIANT} (${amount} requests)`);
      if (result.requests !== amount) throw new Error(`${VARIANT}: ${result.requests} of ${amount} requests completed`);
      served += result.requests;
      await read();
    }
    if (server.exited) throw new Error(`server ${VARIANT} exited during the run`);
  } finally {
    await load.stop();
    await server.stop();
  }
  return rows;
}

module.exports = { run };

require('../harness').runIfMain(module, run);
