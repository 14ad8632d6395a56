// System.Stats (Express): how the machine running the queues is doing.
import type { Tracer } from '@tracewell/core';
import { traceMiddleware } from '@tracewell/express';
import express from 'express';
import os from 'node:os';
import { between, rpcName, work, type Latency } from './rpc';

export interface SystemOptions {
  /** Default: the global tracer (`setGlobalTracer`). */
  tracer?: Tracer;
  /** Default 45-55 ms. */
  latency?: Latency;
}

export interface SystemStats {
  load1: number;
  memoryUsedPercent: number;
  uptimeSeconds: number;
}

export function createSystem(options: SystemOptions = {}): express.Express {
  const latency = options.latency ?? between(45, 55);
  const app = express();
  app.use(traceMiddleware({ tracer: options.tracer, spanName: (req) => rpcName(req.route?.path) }));

  app.get('/System.Stats', async (_req, res) => {
    await work(latency); // collect the machine's counters
    const stats: SystemStats = {
      load1: os.loadavg()[0]!,
      memoryUsedPercent: Math.round((1 - os.freemem() / os.totalmem()) * 100),
      uptimeSeconds: Math.round(os.uptime()),
    };
    res.json(stats);
  });
  return app;
}
