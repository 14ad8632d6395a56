// The frontend: calls the backend with axios. traceAxios() makes each call a child span and
// sends the trace headers, so the backend's span joins the same trace.
import { traceAxios } from '@tracewell/axios';
import type { Tracer } from '@tracewell/core';
import { traceMiddleware } from '@tracewell/express';
import axios from 'axios';
import express from 'express';

export function createFrontend(backendUrl: string, tracer?: Tracer): express.Express {
  const client = axios.create({ baseURL: backendUrl });
  traceAxios(client, { tracer });

  const app = express();
  app.use(traceMiddleware({ tracer }));

  app.get('/stats/:queue', async (req, res) => {
    const { data } = await client.get(`/queues/${req.params.queue}/report`);
    res.json({ traceId: req.span.spanContext().traceId, report: data });
  });
  return app;
}
