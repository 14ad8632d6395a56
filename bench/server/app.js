'use strict';
// Server process for the server-overhead benchmark (bench/server/run.js, bench/server/memory.js).
//
//   node bench/server/app.js <variant>
//
// <variant> is `<app>-<kind>`: app is express4 (the `express4` alias of Express 4), express5,
// koa (Koa 3 + @koa/router) or hop; kind is untraced, als, unsampled, tracewell or otel. Every variant serves
// one JSON route, `GET /users/:id` -> `{ id, name, roles }`, on 127.0.0.1 (port 0) and prints
// one line `{"port":N}` on stdout once it listens.
//
// - tracewell: createTracer({ sampler: 'always_on', exporter }) + traceMiddleware({ tracer })
//   (+ traceAxios on the hop front). The exporter discards (counts spans, resolves success);
//   the default batching processor wraps it.
// - unsampled: the same with `sampler: 'always_off'`: what most requests of a busy service cost
//   under the default sampler (a few new traces a second), context kept and propagated.
// - als: no tracer, a first middleware that runs the rest of the request in
//   `AsyncLocalStorage.run(store, next)` with a new store object: the floor any tracer that
//   keeps context pays.
// - headers (hop only): als, plus an axios request interceptor that adds the two headers
//   Tracewell injects by default (`traceparent`, `x-cloud-trace-context`) with constant values:
//   the floor of any tracer that keeps context and propagates it in those formats.
// - otel: NodeTracerProvider (AlwaysOnSampler, BatchSpanProcessor with a discarding exporter),
//   provider.register() (AsyncLocalStorage context manager, W3C propagator), then
//   HttpInstrumentation + ExpressInstrumentation or KoaInstrumentation, all set up BEFORE
//   http/express/koa are required. require-in-the-middle names a package by its folder in
//   node_modules, so Express 4 (installed as `express4`) would silently stay unpatched (only
//   the http spans appear): a subclass of ExpressInstrumentation renames its module definition
//   to `express4` for those variants.
// - hop-<kind>: an Express 5 front that, for every request, calls an Express 5 back end with
//   axios (keep-alive agent) and returns its body. The back end is a second process of this
//   script (`hop-back-<kind>`); the front prints `{"port":N,"back":{"port":M,"pid":P}}` so the
//   runner can read both processes' CPU and memory.
//
// Control routes, left out of tracing by both SDKs' ignore options (Tracewell `ignore`, OTel
// `ignoreIncomingRequestHook`) and never part of the measured load:
// - `GET /__spans` flushes the tracer and returns `{ spans, names }`: spans exported so far, and
//   per span name. Proves the instrumentation really produced spans (0 when untraced).
// - `GET /__heap` flushes, runs `global.gc()` (when started with --expose-gc) and returns
//   process.memoryUsage().
// Environment: OTEL_BSP_MAX_EXPORT_BATCH_SIZE sets both SDKs' export batch;
// BENCH_EXPORT_ENCODING=protobuf makes both discarding exporters encode each batch first.
// The process exits on SIGTERM/SIGINT, or when its stdin is a pipe and closes (parent gone).

const variant = process.argv[2] ?? '';
const match = /^(express4|express5|koa|hop-back|hop)-(untraced|als|headers|unsampled|tracewell|otel)$/.exec(variant);
if (match === null || (match[2] === 'headers' && !match[1].startsWith('hop'))) {
  console.error(`usage: node bench/server/app.js <express4|express5|koa|hop>-<untraced|als|unsampled|tracewell|otel>, or hop-headers (got ${JSON.stringify(variant)})`);
  process.exit(2);
}
const [, app, kind] = match;
// The hop's front and back are Express 5 apps.
const framework = app === 'hop' || app === 'hop-back' ? 'express5' : app;
const CONTROL = ['/__spans', '/__heap'];

let exportedSpans = 0;
/** Span names seen by the exporter, with counts (a few map updates per batch of 512). */
const spanNames = new Map();
function count(spans) {
  exportedSpans += spans.length;
  for (const span of spans) spanNames.set(span.name, (spanNames.get(span.name) ?? 0) + 1);
}
// With protobuf each SDK encodes the batch with its own OTLP encoder (the body its OTLP exporter
// would send); unset, spans are counted and dropped unencoded.
const encoding = process.env.BENCH_EXPORT_ENCODING;
if (encoding !== undefined && encoding !== 'protobuf') {
  console.error(`BENCH_EXPORT_ENCODING: expected protobuf or nothing (got ${JSON.stringify(encoding)})`);
  process.exit(2);
}
/** Exports whatever the tracer still holds (so /__spans counts every ended span). */
let flush = async () => {};

// ---- OpenTelemetry: must be set up before http, express or koa is required. ----
if (kind === 'otel') {
  const { NodeTracerProvider, BatchSpanProcessor, AlwaysOnSampler } = require('@opentelemetry/sdk-trace-node');
  const { registerInstrumentations } = require('@opentelemetry/instrumentation');
  const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http');
  const discarding = {
    export(spans, resultCallback) {
      count(spans);
      if (encoding === 'protobuf') require('@opentelemetry/otlp-transformer').ProtobufTraceSerializer.serializeRequest(spans);
      resultCallback({ code: 0 }); // ExportResultCode.SUCCESS
    },
    shutdown: () => Promise.resolve(),
    forceFlush: () => Promise.resolve(),
  };
  const provider = new NodeTracerProvider({ sampler: new AlwaysOnSampler(), spanProcessors: [new BatchSpanProcessor(discarding)] });
  provider.register();
  flush = () => provider.forceFlush();
  const instrumentations = [new HttpInstrumentation({ ignoreIncomingRequestHook: (req) => CONTROL.includes(req.url) })];
  if (framework === 'koa') {
    const { KoaInstrumentation } = require('@opentelemetry/instrumentation-koa');
    instrumentations.push(new KoaInstrumentation());
  } else {
    const { ExpressInstrumentation } = require('@opentelemetry/instrumentation-express');
    // The require hook is set in the constructor from init()'s definitions, so the rename for
    // `express4` has to happen in init() itself (getModuleDefinitions() returns fresh copies).
    class Express4Instrumentation extends ExpressInstrumentation {
      init() {
        const definitions = [super.init()].flat();
        for (const definition of definitions) definition.name = 'express4';
        return definitions;
      }
    }
    instrumentations.push(framework === 'express4' ? new Express4Instrumentation() : new ExpressInstrumentation());
  }
  registerInstrumentations({ instrumentations });
}

// ---- Tracewell ----
let tracer;
if (kind === 'tracewell' || kind === 'unsampled') {
  const { createTracer, tracerOptionsFromEnv } = require('@tracewell/core');
  // OpenTelemetry's BatchSpanProcessor reads OTEL_BSP_* itself; createTracer reads no
  // environment, so only the batch options are taken from it (how many ended spans wait in the
  // heap for their batch: see "Where the cost goes" in BENCHMARKS.md).
  tracer = createTracer({
    serviceName: `bench-${app}`,
    sampler: kind === 'unsampled' ? 'always_off' : 'always_on',
    batch: tracerOptionsFromEnv(process.env, console).batch,
    exporter: {
      export(spans) {
        count(spans);
        if (encoding === 'protobuf') require('@tracewell/otlp').toOtlpProtobuf(spans, { name: '@tracewell/bench', version: '0' });
        return Promise.resolve({ code: 'success' });
      },
      shutdown: () => Promise.resolve(),
    },
  });
  flush = () => tracer.flush();
}

const http = require('node:http');
const { spawn } = require('node:child_process');
const { createInterface } = require('node:readline');

// ---- AsyncLocalStorage only ----
let storage;
if (kind === 'als' || kind === 'headers') storage = new (require('node:async_hooks').AsyncLocalStorage)();

const user = (id) => ({ id, name: `User ${id}`, roles: ['reader', 'editor', 'billing'] });

async function spansBody() {
  await flush();
  return { spans: exportedSpans, names: Object.fromEntries(spanNames) };
}

async function heapBody() {
  await flush();
  if (typeof global.gc === 'function') {
    global.gc();
    global.gc();
  }
  return process.memoryUsage();
}

/** Starts the hop's back end (a second process) and resolves with its port and pid. */
function startBack() {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, __filename, `hop-back-${kind}`], { stdio: ['pipe', 'pipe', 'inherit'] });
    child.once('error', reject);
    child.once('exit', (code, signal) => reject(new Error(`hop back end exited early (code ${code}, signal ${signal})`)));
    createInterface({ input: child.stdout }).once('line', (line) => resolve({ child, port: JSON.parse(line).port, pid: child.pid }));
  });
}

async function main() {
  let back;
  let handler;
  if (app === 'hop') back = await startBack();

  if (framework === 'koa') {
    const Koa = require('koa');
    const Router = require('@koa/router');
    const koa = new Koa();
    const router = new Router();
    if (tracer !== undefined) koa.use(require('@tracewell/koa').traceMiddleware({ tracer, ignore: CONTROL }));
    if (storage !== undefined) koa.use((ctx, next) => storage.run({ ctx }, next));
    router.get('/users/:id', (ctx) => {
      ctx.body = user(ctx.params.id);
    });
    router.get('/__spans', async (ctx) => {
      ctx.body = await spansBody();
    });
    router.get('/__heap', async (ctx) => {
      ctx.body = await heapBody();
    });
    koa.use(router.routes());
    handler = koa.callback();
  } else {
    const express = require(framework === 'express4' ? 'express4' : 'express');
    const ex = express();
    if (tracer !== undefined) ex.use(require('@tracewell/express').traceMiddleware({ tracer, ignore: CONTROL }));
    if (storage !== undefined) ex.use((req, res, next) => storage.run({ req }, next));
    if (app === 'hop') {
      const axios = require('axios');
      const client = axios.create({ baseURL: `http://127.0.0.1:${back.port}`, httpAgent: new http.Agent({ keepAlive: true }) });
      if (tracer !== undefined) require('@tracewell/axios').traceAxios(client, { tracer });
      if (kind === 'headers') {
        // What an unsampled Tracewell call sends, minus the ids' generation and the span.
        client.interceptors.request.use((config) => {
          config.headers.traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00';
          config.headers['x-cloud-trace-context'] = '0af7651916cd43dd8448eb211c80319c/13235353014750950193;o=0';
          return config;
        });
      }
      ex.get('/users/:id', async (req, res, next) => {
        try {
          const response = await client.get(`/users/${encodeURIComponent(req.params.id)}`);
          res.json(response.data);
        } catch (error) {
          next(error);
        }
      });
    } else {
      ex.get('/users/:id', (req, res) => {
        res.json(user(req.params.id));
      });
    }
    ex.get('/__spans', (req, res, next) => spansBody().then((body) => res.json(body), next));
    ex.get('/__heap', (req, res, next) => heapBody().then((body) => res.json(body), next));
    handler = ex;
  }

  const server = http.createServer(handler);
  server.keepAliveTimeout = 60_000;
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    if (back !== undefined) {
      back.child.removeAllListeners('exit');
      back.child.kill('SIGTERM');
    }
    server.close();
    server.closeAllConnections();
    // Under --expose-gc (the instruction counts), pay the garbage collector's debt before
    // exiting, so a run's total does not depend on where the last collection happened to fall.
    if (typeof global.gc === 'function') global.gc();
    // Nothing to wait for: the exporters discard.
    setImmediate(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  // Spawned with a stdin pipe (bench runner, hop front): its end means the parent is gone.
  if (require('node:fs').fstatSync(0).isFIFO()) {
    process.stdin.once('end', stop);
    process.stdin.once('error', stop);
    process.stdin.resume();
  }

  const ready = { port: server.address().port };
  if (back !== undefined) ready.back = { port: back.port, pid: back.pid };
  process.stdout.write(`${JSON.stringify(ready)}\n`);
}

main().catch((error) => {
  console.error(`bench/server/app.js ${variant}:`, error);
  process.exit(1);
});
