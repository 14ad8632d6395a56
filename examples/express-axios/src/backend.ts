// The backend: answers queue reports. Tracing is one line: app.use(traceMiddleware()).
import type { Tracer } from '@tracewell/core';
import { traceMiddleware } from '@tracewell/express';
import express from 'express';

export function createBackend(tracer?: Tracer): express.Express {
  const app = express();
  app.use(traceMiddleware({ tracer }));

  app.get('/queues/:queue/report', async (req, res) => {
    req.span.setAttribute('app.queue', req.params.queue); // your own labels on the request's span
    await new Promise((resolve) => setTimeout(resolve, 30)); // pretend to query something
    res.json({ queue: req.params.queue, pending: 12, leased: 3 });
  });
  return app;
}
