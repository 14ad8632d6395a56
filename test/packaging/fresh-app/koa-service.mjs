// An ESM Koa service written as the READMEs say, run in a fresh app that installed the packed
// tarballs (test/packaging/fresh-app.test.ts): one request that calls the service again through
// traced axios, then the trace id on stdout and the tracer's shutdown.
import Koa from 'koa';
import axios from 'axios';
import { traceMiddleware } from '@tracewell/koa';
import { traceAxios } from '@tracewell/axios';
import { getTracer } from '@tracewell/core';

const app = new Koa();
app.use(traceMiddleware());
traceAxios(axios);
let base = '';
app.use(async (ctx) => {
  if (ctx.path === '/info') ctx.body = { traceId: ctx.span.spanContext().traceId };
  else ctx.body = (await axios.get(`${base}/info`)).data;
});
const server = app.listen(0, '127.0.0.1', async () => {
  base = `http://127.0.0.1:${server.address().port}`;
  const { traceId } = await (await fetch(`${base}/queues/default`)).json();
  await getTracer().shutdown();
  server.close();
  console.log(traceId);
});
