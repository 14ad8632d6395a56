// The dashboard: asks the store with axios. traceAxios() makes each call a child span and sends
// the trace headers, so the store's span joins the same trace.
import Router from '@koa/router';
import { traceAxios } from '@tracewell/axios';
import type { Tracer } from '@tracewell/core';
import { traceMiddleware } from '@tracewell/koa';
import axios from 'axios';
import Koa from 'koa';

export function createDashboard(storeUrl: string, tracer?: Tracer): Koa {
  const store = axios.create({ baseURL: storeUrl });
  traceAxios(store, { tracer });

  const app = new Koa();
  app.use(traceMiddleware({ tracer }));
  const router = new Router();
  router.get('/dashboard/:queue', async (ctx) => {
    const { data } = await store.get(`/v1/queues/${ctx.params.queue}/depth`);
    ctx.body = { traceId: ctx.span.spanContext().traceId, depth: data.depth };
  });
  app.use(router.routes());
  return app;
}
