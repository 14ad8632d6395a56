'use strict';
// A Tracewell test service for the official W3C Trace Context test suite
// (https://github.com/w3c/trace-context, folder test/). It is an Express app traced by
// traceMiddleware() from @tracewell/express, with a tracer that propagates `tracecontext` only.
// The suite POSTs to /test a JSON array of {url, arguments}; for each element, in order, the
// service POSTs `arguments` as JSON to `url` with an axios instance traced by traceAxios()
// (a CLIENT span, child of the request's SERVER span, whose traceparent/tracestate are sent),
// then answers 200. The suite reads the headers of those calls back.
//
// Run (after `npx tsc -b packages/core packages/express packages/axios`):
//   node scripts/w3c-test-service.js [port]          # or PORT=...; default 5000
//   mkdir -p /tmp/w3c && git -C <clone of w3c/trace-context> archive HEAD test | tar -x -C /tmp/w3c
//   cd /tmp/w3c/test && STRICT_LEVEL=2 SPEC_LEVEL=2 python3 test.py http://127.0.0.1:5000/test
// The suite needs Python 3 with aiohttp (`pip install aiohttp` or `apt-get install python3-aiohttp`).
// SPEC_LEVEL=2 adds the Level 2 case (random flag); test.py defaults to SPEC_LEVEL=1.
// Stop the service with Ctrl-C or SIGTERM.
const express = require('express');
const axios = require('axios');
const { createTracer } = require('@tracewell/core');
const { traceMiddleware } = require('@tracewell/express');
const { traceAxios } = require('@tracewell/axios');

const HOST = '127.0.0.1';
const port = Number(process.argv[2] ?? process.env.PORT ?? 5000);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`usage: node scripts/w3c-test-service.js [port]  (got ${JSON.stringify(process.argv[2] ?? process.env.PORT)})`);
  process.exit(2);
}

// parentbased_always_on: the caller's sampled flag is kept (the suite sends 00 and 01 and reads
// the flags back); a request without a valid traceparent starts a sampled trace.
// spanProcessors: [] records nothing anywhere, silently: only the headers matter here.
const tracer = createTracer({
  serviceName: 'w3c-test-service',
  propagators: ['tracecontext'],
  sampler: 'parentbased_always_on',
  spanProcessors: [],
});

const client = axios.create({ timeout: 10_000 });
traceAxios(client, { tracer });

const app = express();
app.use(traceMiddleware({ tracer }));
app.use(express.json({ limit: '1mb' }));

app.post('/test', async (req, res) => {
  const actions = Array.isArray(req.body) ? req.body : [];
  for (const action of actions) {
    if (action === null || typeof action !== 'object' || typeof action.url !== 'string') continue;
    try {
      await client.post(action.url, action.arguments ?? [], { headers: { 'Content-Type': 'application/json' } });
    } catch (error) {
      // The suite reports a missing callback itself; keep going with the other calls.
      console.error(`POST ${action.url} failed: ${error.message}`);
    }
  }
  res.status(200).json({});
});

const server = app.listen(port, HOST, () => {
  const { port: actual } = server.address();
  console.log(`w3c test service listening on http://${HOST}:${actual}/test`);
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    server.close();
    server.closeAllConnections?.();
    void tracer.shutdown().finally(() => process.exit(0));
  });
}
