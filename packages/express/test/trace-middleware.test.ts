import { get, runServerConformance } from '@tracewell/conformance';
import { createTracer, InMemorySpanExporter, SimpleSpanProcessor, type Span } from '@tracewell/core';
import type { Request } from 'express';
import { traceMiddleware } from '../src';
import { expressAdapter, listen, type ExpressModule } from './apps';

const majors: Array<[string, ExpressModule]> = [
  ['express 4', require('express4') as ExpressModule],
  ['express 5', require('express') as ExpressModule],
];

describe.each(majors)('%s specifics', (_name, express) => {
  const setup = () => {
    const exporter = new InMemorySpanExporter();
    const tracer = createTracer({ sampler: 'always_on', spanProcessors: [new SimpleSpanProcessor(exporter)] });
    return { exporter, tracer };
  };
  const settle = () => new Promise((r) => setTimeout(r, 20));

  it('records a thrown error even when the app has no error handler, and Express answers 500 as usual', async () => {
    const { exporter, tracer } = setup();
    const app = express();
    app.use(traceMiddleware({ tracer }));
    app.get('/fail', () => {
      throw new TypeError('no handler here');
    });
    const server = await listen(app);
    try {
      const res = await get(`${server.url}/fail`);
      expect(res.status).toBe(500);
      await settle();
      const [span] = exporter.getFinishedSpans();
      expect(span!.events[0]!.attributes).toMatchObject({ 'exception.type': 'TypeError', 'exception.message': 'no handler here' });
    } finally {
      await server.close();
    }
  });

  it('leaves apps without the middleware untouched in the same process', async () => {
    const { tracer } = setup();
    const traced = express();
    traced.use(traceMiddleware({ tracer }));
    traced.get('/', (_req, res) => void res.end('traced'));
    const plain = express();
    const seen: unknown[] = [];
    plain.get('/fail', (_req, _res, next) => next(new Error('plain')));
    plain.use((error: Error, _req: Request, res: import('express').Response, _next: import('express').NextFunction) => {
      seen.push(error.message);
      res.status(418).end();
    });
    const a = await listen(traced);
    const b = await listen(plain);
    try {
      expect((await get(`${a.url}/`)).body).toBe('traced');
      expect((await get(`${b.url}/fail`)).status).toBe(418);
      expect(seen).toEqual(['plain']);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('names a route of a router mounted at a path with the mount prefix, and req.span is typed', async () => {
    const { exporter, tracer } = setup();
    const app = express();
    app.use(traceMiddleware({ tracer }));
    const admin = express.Router();
    admin.post('/reports/:reportId/publish', (req, res) => {
      const span: Span = req.span; // compile-time check of the module augmentation
      span.addEvent('publishing');
      res.status(202).end();
    });
    app.use('/admin', admin);
    const server = await listen(app);
    try {
      await new Promise<void>((resolve, reject) => {
        const req = require('node:http').request(`${server.url}/admin/reports/9/publish`, { method: 'POST' }, (res: import('node:http').IncomingMessage) => {
          res.resume();
          res.on('end', () => resolve());
        });
        req.on('error', reject);
        req.end();
      });
      await settle();
      const [span] = exporter.getFinishedSpans();
      expect(span!.name).toBe('POST /admin/reports/:reportId/publish');
      expect(span!.events.map((e) => e.name)).toEqual(['publishing']);
    } finally {
      await server.close();
    }
  });
});

describe('flushOnResponse (scale-to-zero platforms)', () => {
  it('exports the request\'s spans before the response reaches the client', async () => {
    const express = require('express') as ExpressModule;
    const { InMemorySpanExporter: Memory, createTracer: make } = require('@tracewell/core') as typeof import('@tracewell/core');
    const exporter = new Memory();
    // The default batching processor, with a delay long enough that only a flush would send.
    const tracer = make({ sampler: 'always_on', exporter, batch: { scheduledDelayMillis: 60_000 } });
    const app = express();
    app.use(traceMiddleware({ tracer, flushOnResponse: true }));
    app.get('/work', (req, res) => {
      req.span.child('inner work').end();
      res.json({ ok: true });
    });
    const server = await listen(app);
    try {
      const res = await get(`${server.url}/work`);
      // Read the exporter the moment the response is in: nothing else had time to run.
      const names = exporter.getFinishedSpans().map((s) => s.name);
      expect(res).toEqual({ status: 200, body: { ok: true } });
      expect(names.sort()).toEqual(['GET /work', 'inner work']);
      expect(exporter.getFinishedSpans().find((s) => s.name === 'GET /work')!.attributes['http.response.status_code']).toBe(200);
    } finally {
      await server.close();
    }
  });
});


// The same suite for both majors: Express 5 is the `express` dev dependency, Express 4 the
// `express4` alias (npm:express@^4).
runServerConformance(expressAdapter(require('express4') as ExpressModule, 4));
runServerConformance(expressAdapter(require('express') as ExpressModule, 5));
