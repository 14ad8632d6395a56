import { runningServer, type RunningServer, type ServerAdapter } from '@tracewell/conformance';
import { currentSpan, type Tracer } from '@tracewell/core';
import type { Express, NextFunction, Request, Response, Router } from 'express';
import { traceMiddleware, type TraceMiddlewareOptions } from '../src';

/** The `express` export of either major version (4 through an npm alias). */
export type ExpressModule = { (): Express; Router(): Router };

const BOOM = new Error('BOOM');
const PASSED = new Error('PASSED');
const tick = () => new Promise((r) => setImmediate(r));

/** Starts `app` on 127.0.0.1, port 0. */
export function listen(app: Express): Promise<RunningServer> {
  return runningServer(app.listen(0, '127.0.0.1'));
}

/** The conformance suite's app (see ServerAdapter), for Express `major`. */
export function conformanceApp(express: ExpressModule, major: 4 | 5, tracer: Tracer, options?: TraceMiddlewareOptions): Express {
  const app = express();
  app.use(traceMiddleware({ tracer, ...options }));
  app.get('/users/:id', async (req: Request, res: Response) => {
    req.span.setAttribute('user.id', req.params.id);
    await tick();
    res.json({ traceId: currentSpan()?.spanContext().traceId, spanIsCurrent: currentSpan() === req.span });
  });
  const api = express.Router();
  const v1 = express.Router();
  v1.get('/things/:thingId', (_req, res) => void res.json({ ok: true }));
  api.use('/v1', v1);
  app.use('/api', api);
  app.get('/throw', () => {
    throw BOOM;
  });
  app.get('/next-error', (_req, _res, next: NextFunction) => next(PASSED));
  if (major === 5) {
    app.get('/async-throw', async () => {
      await tick();
      throw BOOM;
    });
  } else {
    // Express 4 does not catch rejections: the usual pattern hands them to next().
    app.get('/async-throw', async (_req, _res, next: NextFunction) => {
      try {
        await tick();
        throw BOOM;
      } catch (error) {
        next(error);
      }
    });
  }
  app.get('/status/:code', (req, res) => void res.status(Number(req.params.code)).end());
  app.get('/slow', (_req, res) => {
    const timer = setTimeout(() => res.end('late'), 3000);
    res.on('close', () => clearTimeout(timer));
  });
  app.get('/healthz', (_req, res) => void res.json({ traceId: currentSpan()?.spanContext().traceId }));
  app.use((error: Error, _req: Request, res: Response, _next: NextFunction) => {
    res.status(500).json({ error: error.message, identical: error === BOOM || error === PASSED });
  });
  return app;
}

/** The conformance adapter for Express `major`. */
export function expressAdapter(express: ExpressModule, major: 4 | 5): ServerAdapter {
  return {
    name: `express ${major}`,
    start: (tracer, options) => listen(conformanceApp(express, major, tracer, options as TraceMiddlewareOptions)),
    middleware: (options) => traceMiddleware(options as TraceMiddlewareOptions),
  };
}
