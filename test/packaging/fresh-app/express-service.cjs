'use strict';
// A CommonJS Express service written as the READMEs say, run in a fresh app that installed the
// packed tarballs (test/packaging/fresh-app.test.ts), and also bundled by esbuild. It serves one
// request that calls the service again through traced axios and through http.get (traced by
// traceHttpClients), prints the trace id and shuts the tracer down. No exporter is named: OTEL_EXPORTER_OTLP_ENDPOINT and @tracewell/otlp decide.
const express = require('express');
const axios = require('axios');
const { traceMiddleware } = require('@tracewell/express');
const { traceAxios } = require('@tracewell/axios');
const { traceHttpClients } = require('@tracewell/http-client');
const { getTracer, suppressTracing } = require('@tracewell/core');
const http = require('node:http');

const app = express();
app.use(traceMiddleware());
traceAxios(axios);
traceHttpClients();
const getJson = (url) =>
  new Promise((resolve, reject) => {
    http.get(url, (res) => {
      let text = '';
      res.on('data', (chunk) => (text += chunk)).on('end', () => resolve(JSON.parse(text))).on('error', reject);
    }).on('error', reject);
  });
app.get('/info', (req, res) => res.json({ traceId: req.span.spanContext().traceId }));
app.get('/users/:id', async (req, res) => {
  const { data } = await axios.get(`http://127.0.0.1:${server.address().port}/info`);
  const again = await getJson(`http://127.0.0.1:${server.address().port}/info`);
  res.json(again.traceId === data.traceId ? data : { traceId: 'the two calls were in different traces' });
});
const server = app.listen(0, '127.0.0.1', async () => {
  // The request that starts the trace is the test's, not the service's: not traced here.
  const res = await suppressTracing(() => fetch(`http://127.0.0.1:${server.address().port}/users/42`));
  const { traceId } = await res.json();
  await getTracer().shutdown();
  server.close();
  console.log(traceId);
});
