'use strict';
// Service process of the soak (started by run-soak.js with --expose-gc and an IPC channel):
//
//   node --expose-gc test/reliability/soak/service.js <collector url>
//
// Two services in one process, each with its own tracer (always_on sampler, OTLP/protobuf
// exporter behind the default batching processor, sending to the soak's slow collector):
// - Express 5 "orders" (the one under load): GET /orders/:id calls the Koa service with a
//   traced axios instance (keep-alive agent) and answers with its body; when the query has
//   `fail`, the Koa call fails with 503 and Express's error handler answers 502. Per request:
//   an Express SERVER span and an axios CLIENT span.
// - Koa 3 + @koa/router "stock": GET /stock/:sku answers JSON, or throws 503 when asked to
//   fail. Per request: one Koa SERVER span, child of the axios span.
// So every request ends three spans, on the success and the error path alike.
//
// Control goes over IPC, never over HTTP, so the figures hold no control requests, spans or
// sockets. Messages `{ id, type }`, answered `{ id, result }` or `{ id, error }`:
// - `snapshot`: flush both tracers, gc twice, then memory, active resources (by type), both
//   tracers' stats() and the warnings the tracers logged.
// - `settle` (`{ baseline, timeoutMillis }`): wait until no type of active resource counts
//   more than in `baseline` (idle keep-alive sockets close after IDLE_MILLIS) or the timeout
//   passes, then answer a snapshot.
// - `stop`: shut both tracers down, close the servers and the agent, then disconnect. The
//   process is then expected to exit on its own: a handle or ref'd timer left behind would
//   keep it alive, and the parent reports that.
// The first message sent is `{ type: 'ready', url }` (the Express service).
const http = require('node:http');
const axios = require('axios');
const express = require('express');
const Koa = require('koa');
const Router = require('@koa/router');
const { createTracer } = require('@tracewell/core');
const { traceMiddleware: expressTraceMiddleware } = require('@tracewell/express');
const { traceMiddleware: koaTraceMiddleware } = require('@tracewell/koa');
const { traceAxios } = require('@tracewell/axios');
const { OTLPTraceExporter } = require('@tracewell/otlp');

const collectorUrl = process.argv[2];
if (typeof global.gc !== 'function' || collectorUrl === undefined || typeof process.send !== 'function') {
  console.error('usage: node --expose-gc test/reliability/soak/service.js <collector url> (with an IPC channel; see run-soak.js)');
  process.exit(2);
}

// Idle keep-alive connections (axios -> Koa) close after this, so that once the load stops the
// socket count returns to its baseline and whatever stays is a leak. The collector closes the
// exporter's idle connection after the same time.
const IDLE_MILLIS = 1000;

// Warnings the tracers and exporters log (queue full, export failed, ...), counted by message
// with numbers masked. Bounded: a new kind of message past MAX_KINDS is counted as "other".
const MAX_KINDS = 50;
const warnings = new Map();
const logger = {
  warn(message) {
    let key = String(message).replace(/\d+/g, '#');
    if (!warnings.has(key) && warnings.size >= MAX_KINDS) key = '(other)';
    warnings.set(key, (warnings.get(key) ?? 0) + 1);
  },
};

function tracerFor(serviceName, options) {
  return createTracer({
    serviceName,
    sampler: 'always_on',
    exporter: new OTLPTraceExporter({ url: collectorUrl, logger }),
    logger,
    ...options,
  });
}
const ordersTracer = tracerFor('soak-orders');
// Every Koa request continues a sampled trace from the Express service. The default cap on
// upstream-sampled traces (1,000 a second) would leave some of them unrecorded; this upstream
// is our own service, so the cap is off and every request records all three spans.
const stockTracer = tracerFor('soak-stock', { upstreamSampledPerSecond: Infinity });
const tracers = { orders: ordersTracer, stock: stockTracer };

function listen(server) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${server.address().port}`));
  });
}

function startStock() {
  const app = new Koa();
  app.silent = true; // the 503s are expected: no stack trace per failing request
  app.use(koaTraceMiddleware({ tracer: stockTracer }));
  const router = new Router();
  router.get('/stock/:sku', (ctx) => {
    if (ctx.query.fail !== undefined) ctx.throw(503, 'out of stock');
    ctx.body = { sku: ctx.params.sku, available: 7 };
  });
  app.use(router.routes());
  return http.createServer(app.callback());
}

function startOrders(stockUrl, agent) {
  const client = axios.create({ baseURL: stockUrl, httpAgent: agent });
  traceAxios(client, { tracer: ordersTracer });
  const app = express();
  app.use(expressTraceMiddleware({ tracer: ordersTracer }));
  app.get('/orders/:id', async (req, res) => {
    const params = req.query.fail !== undefined ? { fail: 1 } : undefined;
    const stock = await client.get(`/stock/${encodeURIComponent(req.params.id)}`, { params });
    res.json({ order: req.params.id, stock: stock.data });
  });
  // Arity 4: Express's error handler. The failed stock call becomes a 502.
  app.use((error, req, res, _next) => {
    res.status(502).json({ error: 'stock service failed' });
  });
  return http.createServer(app);
}

function countByType(names) {
  const counts = {};
  for (const name of names) counts[name] = (counts[name] ?? 0) + 1;
  return counts;
}

const nextTick = () => new Promise((resolve) => setImmediate(resolve));

async function snapshot() {
  await Promise.all([ordersTracer.flush(), stockTracer.flush()]);
  // Two passes with a turn between: objects kept alive only by finalizers or weak callbacks
  // of the first pass are collected by the second.
  global.gc();
  await nextTick();
  global.gc();
  const memory = process.memoryUsage();
  return {
    heapUsed: memory.heapUsed,
    rss: memory.rss,
    resources: countByType(process.getActiveResourcesInfo()),
    stats: { orders: ordersTracer.stats(), stock: stockTracer.stats() },
    warnings: Object.fromEntries(warnings),
  };
}

function exceeds(counts, baseline) {
  return Object.keys(counts).some((type) => counts[type] > (baseline[type] ?? 0));
}

async function settle({ baseline, timeoutMillis }) {
  const start = Date.now();
  while (Date.now() - start < timeoutMillis && exceeds(countByType(process.getActiveResourcesInfo()), baseline)) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { ...(await snapshot()), settleMillis: Date.now() - start };
}

async function main() {
  const agent = new http.Agent({ keepAlive: true, timeout: IDLE_MILLIS });
  const stockServer = startStock();
  const stockUrl = await listen(stockServer);
  const ordersServer = startOrders(stockUrl, agent);
  const url = await listen(ordersServer);

  async function stop() {
    await Promise.all(Object.values(tracers).map((tracer) => tracer.shutdown({ timeoutMillis: 5000 })));
    for (const server of [ordersServer, stockServer]) {
      server.close();
      server.closeAllConnections();
    }
    agent.destroy();
    return { stats: { orders: ordersTracer.stats(), stock: stockTracer.stats() } };
  }

  const commands = { snapshot, settle, stop };
  let stopping = false;
  process.on('message', ({ id, type, ...args }) => {
    if (type === 'stop') stopping = true;
    const command = commands[type];
    const run = command === undefined ? Promise.reject(new Error(`unknown command ${type}`)) : command(args);
    run.then(
      // After `stop`, the channel closes once the answer is written: then nothing of ours is left.
      (result) => process.send({ id, result }, type === 'stop' ? () => process.disconnect() : undefined),
      (error) => process.send({ id, error: String(error?.stack ?? error) }),
    );
  });
  // The parent is gone without stopping us: leave at once.
  process.on('disconnect', () => {
    if (!stopping) process.exit(1);
  });
  process.send({ type: 'ready', url });
}

main().catch((error) => {
  console.error('soak service:', error);
  process.exit(1);
});
