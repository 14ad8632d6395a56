'use strict';
// A CommonJS Express service written as the READMEs say, run in a fresh app that installed the
// packed tarballs (test/packaging/fresh-app.test.ts), and also bundled by esbuild. It serves one
// request that calls the service again through traced axios, prints the trace id and shuts the
// tracer down. No exporter is named: OTEL_EXPORTER_OTLP_ENDPOINT and @tracewell/otlp decide.
const express = require('express');
const axios = require('axios');
const { traceMiddleware } = require('@tracewell/express');
const { traceAxios } = require('@tracewell/axios');
const { getTracer } = require('@tracewell/core');

const app = express();
app.use(traceMiddleware());
traceAxios(axios);
app.get('/info', (req, res) => res.json({ traceId: req.span.spanContext().traceId }));
app.get('/users/:id', async (req, res) => {
  const { data } = await axios.get(`http://127.0.0.1:${server.address().port}/info`);
  res.json(data);
});
const server = app.listen(0, '127.0.0.1', async () => {
  const res = await fetch(`http://127.0.0.1:${server.address().port}/users/42`);
  const { traceId } = await res.json();
  await getTracer().shutdown();
  server.close();
  console.log(traceId);
});
