// Two real traced services for the viewer's search, analysis and UI tests: "shop" (Express, with
// traced axios) calls "stock" (Koa with @koa/router) for every GET /buy/:item. Both export over
// OTLP to the viewer under test. Item "slow" makes stock run a 400 ms `db.query` span (long enough
// that a cold first request on a loaded machine is still clearly faster); item "broken" makes it
// answer 500.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Router from '@koa/router';
import { traceAxios } from '@tracewell/axios';
import { createTracer, SimpleSpanProcessor, type Tracer } from '@tracewell/core';
import { traceMiddleware as expressTracing } from '@tracewell/express';
import { traceMiddleware as koaTracing } from '@tracewell/koa';
import { OTLPTraceExporter } from '@tracewell/otlp';
import axios from 'axios';
import express from 'express';
import Koa from 'koa';

/** How long the slow item's query takes. */
export const SLOW_QUERY_MS = 400;

export interface ShopServices {
  readonly shopUrl: string;
  /** One GET /buy/:item; resolves with its trace id once both services have exported its spans. */
  buy(item: string): Promise<string>;
  close(): Promise<void>;
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function tracerFor(serviceName: string, viewerUrl: string): Tracer {
  return createTracer({ serviceName, sampler: 'always_on', spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: `${viewerUrl}/v1/traces` }))] });
}

/** Starts both services on 127.0.0.1, port 0, exporting to the viewer at `viewerUrl`. */
export async function startShop(viewerUrl: string): Promise<ShopServices> {
  const stockTracer = tracerFor('stock', viewerUrl);
  const koa = new Koa();
  koa.use(koaTracing({ tracer: stockTracer }));
  const router = new Router();
  router.get('/items/:item', async (ctx) => {
    if (ctx.params.item === 'broken') {
      ctx.status = 500;
      ctx.body = { error: 'out of stock database' };
      return;
    }
    if (ctx.params.item === 'slow') {
      await stockTracer.startActiveSpan('db.query', { attributes: { 'db.system.name': 'postgresql' } }, () => new Promise((resolve) => setTimeout(resolve, SLOW_QUERY_MS)));
    }
    ctx.body = { item: ctx.params.item, left: 3 };
  });
  koa.use(router.routes());
  const stockServer = koa.listen(0, '127.0.0.1');
  const stockUrl = await listen(stockServer);

  const shopTracer = tracerFor('shop', viewerUrl);
  const client = axios.create({ baseURL: stockUrl, validateStatus: () => true });
  traceAxios(client, { tracer: shopTracer });
  const app = express();
  app.use(expressTracing({ tracer: shopTracer }));
  app.get('/buy/:item', async (req, res) => {
    req.span.setAttribute('shop.item', req.params.item);
    const answer = await client.get(`/items/${req.params.item}`);
    res.status(answer.status).json({ traceId: req.span.spanContext().traceId });
  });
  const shopServer = app.listen(0, '127.0.0.1');
  const shopUrl = await listen(shopServer);

  return {
    shopUrl,
    async buy(item) {
      const response = await fetch(`${shopUrl}/buy/${item}`);
      const { traceId } = (await response.json()) as { traceId: string };
      // Server spans end on 'finish', just after the response: wait for all three, exported.
      for (let i = 0; i < 200 && (stockTracer.stats().spansEnded < stockTracer.stats().spansStarted || shopTracer.stats().spansEnded < shopTracer.stats().spansStarted); i++) await new Promise((r) => setTimeout(r, 5));
      await Promise.all([shopTracer.flush(), stockTracer.flush()]);
      return traceId;
    },
    async close() {
      for (const server of [shopServer, stockServer]) {
        server.closeAllConnections();
        server.close();
      }
      await Promise.all([shopTracer.shutdown(), stockTracer.shutdown()]);
    },
  };
}
