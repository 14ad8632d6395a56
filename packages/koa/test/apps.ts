import Router from '@koa/router';
import { runningServer, type RunningServer, type ServerAdapter } from '@tracewell/conformance';
import { currentSpan, type Tracer } from '@tracewell/core';
import type Koa from 'koa';
import { traceMiddleware, type TraceMiddlewareOptions } from '../src';

/** The Koa class of either major version (2 through an npm alias). */
export type KoaClass = new () => Koa;

const BOOM = new Error('BOOM');
const PASSED = new Error('PASSED');
const tick = () => new Promise((r) => setImmediate(r));

/** Starts a Koa app on 127.0.0.1, port 0. */
export function listen(app: Koa): Promise<RunningServer> {
  return runningServer(app.listen(0, '127.0.0.1'));
}

/** The conformance suite's app (see ServerAdapter) on Koa: error handling first, then tracing, then @koa/router. */
export function conformanceApp(KoaApp: KoaClass, tracer: Tracer, options?: TraceMiddlewareOptions): Koa {
  const app = new KoaApp();
  app.silent = true; // errors are answered below; keep test output clean
  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      ctx.status = 500;
      ctx.body = { error: (error as Error).message, identical: error === BOOM || error === PASSED };
    }
  });
  app.use(traceMiddleware({ tracer, ...options }));

  const router = new Router();
  router.get('/users/:id', async (ctx) => {
    ctx.span.setAttribute('user.id', ctx.params.id);
    await tick();
    ctx.body = { traceId: currentSpan()?.spanContext().traceId, spanIsCurrent: currentSpan() === ctx.span && ctx.state.span === ctx.span };
  });
  const api = new Router({ prefix: '/api' });
  const v1 = new Router();
  v1.get('/things/:thingId', (ctx) => {
    ctx.body = { ok: true };
  });
  api.use('/v1', v1.routes());
  router.get('/throw', () => {
    throw BOOM;
  });
  router.get('/next-error', async (_ctx, next) => {
    await next();
  }, async () => {
    await Promise.reject(PASSED);
  });
  router.get('/async-throw', async () => {
    await tick();
    throw BOOM;
  });
  router.get('/status/:code', (ctx) => {
    ctx.status = Number(ctx.params.code);
    ctx.body = '';
  });
  router.get('/slow', async (ctx) => {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 3000);
      ctx.res.on('close', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    ctx.body = 'late';
  });
  router.get('/healthz', (ctx) => {
    ctx.body = { traceId: currentSpan()?.spanContext().traceId };
  });
  app.use(router.routes());
  app.use(api.routes());
  return app;
}

/** The conformance adapter for Koa `major`. */
export function koaAdapter(KoaApp: KoaClass, major: 2 | 3): ServerAdapter {
  return {
    name: `koa ${major}`,
    start: (tracer, options) => listen(conformanceApp(KoaApp, tracer, options as TraceMiddlewareOptions)),
    middleware: (options) => traceMiddleware(options as TraceMiddlewareOptions),
  };
}
