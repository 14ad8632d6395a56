// QueueService.Report (Koa): one report (pending or leased tasks) on a queue.
import Router from '@koa/router';
import type { Tracer } from '@tracewell/core';
import { traceMiddleware } from '@tracewell/koa';
import Koa from 'koa';
import { between, rpcName, work, type Latency } from './rpc';

export interface QueueOptions {
  /** Default: the global tracer (`setGlobalTracer`). */
  tracer?: Tracer;
  /** Default 60-120 ms. */
  latency?: Latency;
}

export const REPORTS = ['pending', 'leased'] as const;
export type ReportKind = (typeof REPORTS)[number];

export interface Report {
  queue: string;
  report: ReportKind;
  tasks: number;
  oldestSeconds: number;
}

const isReportKind = (value: unknown): value is ReportKind => (REPORTS as readonly unknown[]).includes(value);

export function createQueue(options: QueueOptions = {}): Koa {
  const latency = options.latency ?? between(60, 120);
  const app = new Koa();
  app.use(traceMiddleware({ tracer: options.tracer, spanName: (ctx) => rpcName(ctx.routerPath) }));

  const router = new Router();
  router.get('/QueueService.Report', async (ctx) => {
    const queue = String(ctx.query.queue ?? 'default');
    const report = ctx.query.report;
    if (!isReportKind(report)) {
      ctx.status = 400;
      ctx.body = { error: `report must be one of ${REPORTS.join(', ')}` };
      return;
    }
    ctx.span.setAttributes({ 'app.queue': queue, 'app.report': report });
    await work(latency); // scan the queue
    const tasks = report === 'pending' ? 42 : 7;
    ctx.span.setAttribute('app.report.tasks', tasks);
    ctx.body = { queue, report, tasks, oldestSeconds: report === 'pending' ? 95 : 12 } satisfies Report;
  });
  app.use(router.routes());
  return app;
}
