import { get, runServerConformance } from '@tracewell/conformance';
import { createTracer, InMemorySpanExporter, SimpleSpanProcessor, SpanStatusCode, type Span } from '@tracewell/core';
import Router from '@koa/router';
import type Koa from 'koa';
import { traceMiddleware } from '../src';
import { koaAdapter, listen, type KoaClass } from './apps';

const majors: Array<[string, KoaClass]> = [
  ['koa 2', require('koa2') as KoaClass],
  ['koa 3', require('koa') as KoaClass],
];

describe.each(majors)('%s specifics', (_name, KoaApp) => {
  const settle = () => new Promise((r) => setTimeout(r, 20));

  /** Builds the same app with or without tracing, so their answers can be compared. */
  function app(traced: boolean, tracer = createTracer()): { app: Koa; errors: unknown[]; thrown: Error } {
    const koa = new KoaApp();
    const errors: unknown[] = [];
    const thrown = new RangeError('out of range');
    koa.on('error', (error: unknown) => errors.push(error));
    if (traced) koa.use(traceMiddleware({ tracer }));
    const router = new Router();
    router.get('/fail', () => {
      throw thrown;
    });
    router.get('/missing', (ctx) => ctx.throw(404, 'no such thing'));
    router.get('/typed', (ctx) => {
      const span: Span | undefined = traced ? ctx.span : undefined; // ctx.span is typed as Span
      span?.addEvent('typed');
      ctx.body = 'ok';
    });
    koa.use(router.routes());
    return { app: koa, errors, thrown };
  }

  it('Koa\'s own error handling and app.on(\'error\') behave exactly as untraced', async () => {
    const exporter = new InMemorySpanExporter();
    const tracer = createTracer({ sampler: 'always_on', spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const traced = app(true, tracer);
    const plain = app(false);
    const a = await listen(traced.app);
    const b = await listen(plain.app);
    try {
      for (const path of ['/fail', '/missing', '/typed', '/nowhere']) {
        expect(await get(`${a.url}${path}`)).toEqual(await get(`${b.url}${path}`));
      }
      const describe = (errors: unknown[]) => errors.map((e) => `${(e as Error).name}: ${(e as Error).message}`);
      expect(describe(traced.errors)).toEqual(describe(plain.errors));
      expect(describe(traced.errors)).toEqual(['RangeError: out of range', 'NotFoundError: no such thing']);
      expect(traced.errors[0]).toBe(traced.thrown); // the very object the handler threw
      await settle();
      const byName = new Map(exporter.getFinishedSpans().map((s) => [s.name, s]));
      const fail = byName.get('GET /fail')!;
      expect(fail.status.code).toBe(SpanStatusCode.ERROR);
      expect(fail.events[0]!.attributes).toMatchObject({ 'exception.type': 'RangeError', 'exception.message': 'out of range' });
      const missing = byName.get('GET /missing')!;
      expect(missing.status.code).toBe(SpanStatusCode.UNSET); // a 404 is the client's error
      expect(missing.attributes['http.response.status_code']).toBe(404);
      expect(byName.get('GET /typed')!.events.map((e) => e.name)).toEqual(['typed']);
      expect(byName.get('GET')!.attributes['http.response.status_code']).toBe(404);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});


// The same suite for both majors: Koa 3 is the `koa` dev dependency, Koa 2 the `koa2` alias
// (npm:koa@^2). Express runs this very suite too (packages/express/test/trace-middleware.test.ts).
runServerConformance(koaAdapter(require('koa2') as KoaClass, 2));
runServerConformance(koaAdapter(require('koa') as KoaClass, 3));
