// TaskQueue.Auth (Koa): may this user read this queue's stats?
import Router from '@koa/router';
import type { Tracer } from '@tracewell/core';
import { traceMiddleware } from '@tracewell/koa';
import Koa from 'koa';
import { between, rpcName, work, type Latency } from './rpc';

export interface AuthOptions {
  /** Default: the global tracer (`setGlobalTracer`). */
  tracer?: Tracer;
  /** Default 20-40 ms. */
  latency?: Latency;
}

/** Who may not read stats; everyone else may. */
const DENIED = new Set(['mallory']);

export function createAuth(options: AuthOptions = {}): Koa {
  const latency = options.latency ?? between(20, 40);
  const app = new Koa();
  app.use(traceMiddleware({ tracer: options.tracer, spanName: (ctx) => rpcName(ctx.routerPath) }));

  const router = new Router();
  router.get('/TaskQueue.Auth', async (ctx) => {
    const user = String(ctx.query.user ?? '');
    const queue = String(ctx.query.queue ?? '');
    ctx.span.setAttributes({ 'enduser.id': user, 'app.queue': queue }); // labels you will want to search by
    await work(latency); // look up the user's grants
    const allowed = user !== '' && !DENIED.has(user);
    ctx.span.setAttribute('app.auth.allowed', allowed);
    ctx.body = { user, queue, allowed };
  });
  app.use(router.routes());
  return app;
}
