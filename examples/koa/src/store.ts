// The store: queue depths behind a versioned API. Tracing is one line: app.use(traceMiddleware()).
import Router from '@koa/router';
import type { Tracer } from '@tracewell/core';
import { traceMiddleware } from '@tracewell/koa';
import Koa from 'koa';

export function createStore(tracer?: Tracer): Koa {
  const app = new Koa();
  app.use(traceMiddleware({ tracer }));

  const queues = new Router();
  queues.get('/:queue/depth', async (ctx) => {
    ctx.span.setAttribute('app.queue', ctx.params.queue); // your own labels on the request's span
    await new Promise((resolve) => setTimeout(resolve, 20)); // pretend to query something
    ctx.body = { queue: ctx.params.queue, depth: 7 };
  });
  const v1 = new Router({ prefix: '/v1' });
  v1.use('/queues', queues.routes()); // span name: GET /v1/queues/:queue/depth
  app.use(v1.routes());
  return app;
}
