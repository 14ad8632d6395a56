import { runningServer, runServerConformance, type ServerAdapter } from '@tracewell/conformance';
import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import { createTracer, InMemorySpanExporter, SimpleSpanProcessor, traceRequestListener, type Span, type Tracer } from '../../src';
import type { ServerTracingOptions } from '../../src/instrumentation';

// The server conformance suite (packages/conformance/src/server-suite.ts) on core's wrapper for
// plain node:http, with an app written as a plain Node app is: a hand-made router, and its own
// error handling around the traced listener, which records what the listener throws or rejects
// with and hands it on unchanged (the returned promise included).

type Options = ServerTracingOptions<IncomingMessage, ServerResponse>;

const BOOM = new Error('BOOM');
const tick = () => new Promise((r) => setImmediate(r));

function json(res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(body));
}

type Handler = (req: IncomingMessage, res: ServerResponse, params: string[]) => void | Promise<void>;

/**
 * The suite's app (see ServerAdapter). `spanOf` gives the span traceRequestListener started for
 * a request (there is no `req.span` in plain Node).
 */
function conformanceListener(tracer: Tracer, spanOf: (req: IncomingMessage) => Span | undefined): RequestListener {
  const routes: Array<[RegExp, Handler]> = [
    [/^\/users\/([^/]+)$/, async (req, res, [id]) => {
      tracer.currentSpan()?.setAttribute('user.id', decodeURIComponent(id!));
      await tick();
      const current = tracer.currentSpan();
      json(res, 200, { traceId: current?.spanContext().traceId, spanIsCurrent: current !== undefined && current === spanOf(req) });
    }],
    [/^\/api\/v1\/things\/[^/]+$/, (_req, res) => json(res, 200, { ok: true })],
    [/^\/throw$/, () => {
      throw BOOM;
    }],
    [/^\/async-throw$/, async () => {
      await tick();
      throw BOOM;
    }],
    [/^\/status\/(\d{3})$/, (_req, res, [code]) => {
      res.statusCode = Number(code);
      res.end();
    }],
    [/^\/slow$/, (_req, res) => {
      const timer = setTimeout(() => res.end('late'), 3000);
      res.on('close', () => clearTimeout(timer));
    }],
    [/^\/healthz$/, (_req, res) => json(res, 200, { traceId: tracer.currentSpan()?.spanContext().traceId })],
  ];
  const notFound: Handler = (_req, res) => {
    res.statusCode = 404;
    res.end();
  };
  return (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    let handler = notFound;
    let params: string[] = [];
    for (const [pattern, candidate] of routes) {
      const match = req.method === 'GET' ? pattern.exec(path) : null;
      if (match !== null) {
        handler = candidate;
        params = match.slice(1);
        break;
      }
    }
    return handler(req, res, params);
  };
}

// The app's own error handling: a 500 with the error's message, and whether it is the very one thrown.
const answerError = (res: ServerResponse) => (error: unknown) => json(res, 500, { error: (error as Error).message, identical: error === BOOM });

// Keyed by request: each request's span (from the requestHook) and response (for the suite's hooks).
const spans = new WeakMap<IncomingMessage, Span>();
const responses = new WeakMap<IncomingMessage, ServerResponse>();

const requestListenerAdapter: ServerAdapter = {
  name: 'traceRequestListener (node:http)',
  routes: false,
  nextError: false,
  optionsName: 'traceRequestListener',
  start(builtTracer, options) {
    // The suite's tracer comes from the built @tracewell/core (dist): the same code as src, but
    // types with private members of their own, so TypeScript keeps them apart.
    const tracer = builtTracer as unknown as Tracer;
    const given = options as Options | undefined;
    // Remembers the request's span for the app, then runs the suite's hook unchanged (a throw included).
    const requestHook: Options['requestHook'] = (span, req) => {
      spans.set(req, span);
      given?.requestHook?.(span, req);
    };
    const traced = traceRequestListener(conformanceListener(tracer, (req) => spans.get(req)), { ...given, tracer, requestHook });
    const server = createServer((req, res) => {
      responses.set(req, res);
      try {
        (traced(req, res) as unknown as Promise<void> | undefined)?.catch(answerError(res));
      } catch (error) {
        answerError(res)(error);
      }
    });
    server.listen(0, '127.0.0.1');
    return runningServer(server);
  },
  middleware: (options) => traceRequestListener(() => undefined, options as Options),
  responseOf: (req) => responses.get(req as IncomingMessage)!,
};

runServerConformance(requestListenerAdapter);

// What the suite's error cases rely on, seen from outside: the wrapper hands the listener's
// return value on (so a rejection reaches whoever called it) and records the error first.
it('traceRequestListener returns what the listener returns, and records a rejection before handing it on', async () => {
  const exporter = new InMemorySpanExporter();
  const tracer = createTracer({ spanProcessors: [new SimpleSpanProcessor(exporter)], sampler: 'always_on' });
  const server = createServer();
  const listener = traceRequestListener(async () => {
    await tick();
    throw BOOM;
  }, { tracer });
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    (listener(req, res) as unknown as Promise<void>).catch((error: unknown) => {
      server.emit('handed-on', error);
      res.statusCode = 500;
      res.end('answered by the caller');
    });
  });
  const handedOn = new Promise((resolve) => server.once('handed-on', resolve));
  server.listen(0, '127.0.0.1');
  const running = await runningServer(server);
  try {
    expect(await (await fetch(`${running.url}/x`)).text()).toBe('answered by the caller');
    expect(await handedOn).toBe(BOOM);
    for (let i = 0; i < 200 && exporter.getFinishedSpans().length === 0; i++) await tick();
    const [span] = exporter.getFinishedSpans();
    expect(span!.events.filter((e) => e.name === 'exception').map((e) => e.attributes['exception.message'])).toEqual(['BOOM']);
  } finally {
    await running.close();
  }
});
