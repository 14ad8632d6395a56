// An ESM Koa service written as the READMEs say, run in a fresh app that installed the packed
// tarballs (test/packaging/fresh-app.test.ts): one request that calls the service again through
// traced axios and through fetch (traced by traceHttpClients), then the trace id on stdout and
// the tracer's shutdown.
import Koa from 'koa';
import axios from 'axios';
import { traceMiddleware } from '@tracewell/koa';
import { traceAxios } from '@tracewell/axios';
import { traceHttpClients } from '@tracewell/http-client';
import { getTracer, suppressTracing } from '@tracewell/core';

const app = new Koa();
app.use(traceMiddleware());
traceAxios(axios);
traceHttpClients();
let base = '';
app.use(async (ctx) => {
  if (ctx.path === '/info') ctx.body = { traceId: ctx.span.spanContext().traceId };
  else {
    const { data } = await axios.get(`${base}/info`);
    const again = await (await fetch(`${base}/info`)).json();
    ctx.body = again.traceId === data.traceId ? data : { traceId: 'the two calls were in different traces' };
  }
});
const server = app.listen(0, '127.0.0.1', async () => {
  base = `http://127.0.0.1:${server.address().port}`;
  // The request that starts the trace is the test's, not the service's: not traced here.
  const { traceId } = await (await suppressTracing(() => fetch(`${base}/queues/default`))).json();
  await getTracer().shutdown();
  server.close();
  console.log(traceId);
});
