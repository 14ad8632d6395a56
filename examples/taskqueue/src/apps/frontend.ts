// TaskQueue.Stats (Express): the front end. To answer it asks TaskQueue.Auth, then two
// QueueService.Reports (gRPC) and System.Stats at once, then Graphviz.Render: the article's trace.
// traceAxios() makes each axios call a CLIENT span and sends the trace headers; System.Stats is
// called with the global fetch, traced by traceHttpClients() (run-service.ts turns it on for the
// process); the queue service is called over gRPC, with grpcClientInterceptor() on its channel,
// which does the same in the calls' metadata. So every service's spans join this request's trace.
import { traceAxios } from '@tracewell/axios';
import type { Tracer } from '@tracewell/core';
import { traceMiddleware } from '@tracewell/express';
import { grpcClientInterceptor } from '@tracewell/grpc';
import axios from 'axios';
import express from 'express';
import { createQueueClient, type Report, type ReportKind } from './queue-service';
import type { Rendered } from './render';
import { rpcName } from './rpc';
import type { SystemStats } from './system';

export interface FrontendOptions {
  authUrl: string;
  /** The queue service's gRPC target, `host:port`. */
  queueTarget: string;
  systemUrl: string;
  renderUrl: string;
  /** Default: the global tracer (`setGlobalTracer`). */
  tracer?: Tracer;
}

/** The answer of `GET /TaskQueue.Stats?queue=default`. */
export interface QueueStats {
  traceId: string;
  queue: string;
  user: string;
  pending: Report;
  leased: Report;
  system: SystemStats;
  graph: Rendered;
}

export function createFrontend(options: FrontendOptions): express.Express {
  const client = axios.create({ timeout: 10_000 });
  traceAxios(client, { tracer: options.tracer });
  const queueService = createQueueClient(options.queueTarget, { interceptors: [grpcClientInterceptor({ target: options.queueTarget, tracer: options.tracer })] });

  const app = express();
  app.use(traceMiddleware({ tracer: options.tracer, spanName: (req) => rpcName(req.route?.path) }));

  app.get('/TaskQueue.Stats', async (req, res) => {
    const queue = typeof req.query.queue === 'string' ? req.query.queue : 'default';
    const user = req.get('x-user') ?? 'guest';
    req.span.setAttributes({ 'app.queue': queue, 'enduser.id': user });

    // 1. May this user see the queue?
    const auth = await client.get<{ allowed: boolean }>(`${options.authUrl}/TaskQueue.Auth`, { params: { user, queue } });
    if (!auth.data.allowed) {
      res.status(403).json({ error: `${user} may not read ${queue}` });
      return;
    }
    // 2. Two reports from the queue service (gRPC calls) and the system stats, at the same time.
    const report = async (kind: ReportKind): Promise<{ data: Report }> => ({ data: await queueService.report({ queue, report: kind }, { deadline: Date.now() + 10_000 }) });
    const systemStats = async (): Promise<{ data: SystemStats }> => {
      const response = await fetch(`${options.systemUrl}/System.Stats`, { signal: AbortSignal.timeout(10_000) });
      if (!response.ok) throw new Error(`System.Stats answered ${response.status}`);
      return { data: (await response.json()) as SystemStats };
    };
    const [pending, leased, system] = await Promise.all([report('pending'), report('leased'), systemStats()]);
    // 3. Then the graph of it all.
    const node = queue.replace(/\W/g, '_');
    const dot = `digraph { ${node} -> pending; ${node} -> leased; label="${pending.data.tasks} pending, ${leased.data.tasks} leased" }`;
    const graph = await client.post<Rendered>(`${options.renderUrl}/Graphviz.Render`, { dot });

    const body: QueueStats = { traceId: req.span.spanContext().traceId, queue, user, pending: pending.data, leased: leased.data, system: system.data, graph: graph.data };
    res.json(body);
  });
  return app;
}
