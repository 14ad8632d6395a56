import { createServer, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { traceRequestListener } from '../../src';
import { addServerTiming, traceMetric } from '../../src/http/server-timing';
import { memoryTracer } from '../support/memory-tracer';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';
const SAMPLED = { traceparent: `00-${TRACE_ID}-${SPAN_ID}-01` };

/** traceRequestListener (plain node:http) with `serverTiming`; the listener is the app. */
describe('traceRequestListener: serverTiming (W3C trace context response metric)', () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise<void>((r) => (server === undefined ? r() : server.close(() => r())));
    server = undefined;
  });

  const setup = async (listener: RequestListener, options: Parameters<typeof traceRequestListener>[1] = { serverTiming: true }) => {
    const { tracer, exporter } = memoryTracer();
    server = createServer(traceRequestListener(listener, { tracer, ...options }));
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const fetchTiming = async (path = '/', headers: Record<string, string> = SAMPLED) => {
      const res = await fetch(`${url}${path}`, { headers });
      return { serverTiming: res.headers.get('server-timing'), body: await res.text() };
    };
    const spanId = async () => {
      for (let i = 0; i < 100 && exporter.getFinishedSpans().length === 0; i++) await new Promise((r) => setTimeout(r, 5));
      return exporter.getFinishedSpans()[0]!.spanId;
    };
    return { fetchTiming, spanId };
  };

  it('is off by default', async () => {
    const { fetchTiming } = await setup((_req, res) => res.end('ok'), {});
    expect((await fetchTiming()).serverTiming).toBeNull();
  });

  it('is set before the listener runs, on the response object, and sent with a streamed body', async () => {
    let seen: unknown;
    const { fetchTiming, spanId } = await setup((_req, res) => {
      seen = res.getHeader('server-timing');
      res.write('a');
      setTimeout(() => res.end('b'), 5);
    });
    const res = await fetchTiming();
    const expected = `trace;desc=00-${TRACE_ID}-${await spanId()}-01`;
    expect(res).toEqual({ serverTiming: expected, body: 'ab' });
    expect(seen).toBe(expected);
  });

  it('flags 00 for an unsampled request, with the server\'s own span id', async () => {
    const { fetchTiming } = await setup((_req, res) => res.end());
    const { serverTiming } = await fetchTiming('/', { traceparent: `00-${TRACE_ID}-${SPAN_ID}-00` });
    expect(serverTiming).toMatch(new RegExp(`^trace;desc=00-${TRACE_ID}-[0-9a-f]{16}-00$`));
    expect(serverTiming).not.toContain(SPAN_ID);
  });

  // `OURS` stands for our metric in the expected list.
  it.each<[string, (res: ServerResponse) => void, string[]]>([
    ['setHeader replacing the field', (res) => res.setHeader('Server-Timing', 'db;dur=53').end(), ['db;dur=53', 'OURS']],
    ['setHeader with several lines', (res) => res.setHeader('server-timing', ['db;dur=53', 'app;dur=47.2']).end(), ['db;dur=53', 'app;dur=47.2', 'OURS']],
    ['appending to the field as read', (res) => res.setHeader('server-timing', [String(res.getHeader('server-timing')), 'db;dur=53']).end(), ['OURS', 'db;dur=53']],
    ['writeHead with a headers object', (res) => res.writeHead(200, { 'Server-Timing': 'db;dur=53' }).end(), ['db;dur=53', 'OURS']],
    ['writeHead with a status message and a flat headers array', (res) => res.writeHead(200, 'OK', ['Server-Timing', 'db;dur=53', 'content-type', 'text/plain', 'server-timing', 'app;dur=1']).end(), ['db;dur=53', 'app;dur=1', 'OURS']],
    ['writeHead with other headers only', (res) => res.writeHead(200, { 'content-type': 'text/plain' }).end(), ['OURS']],
    ['clearing every header first (as Express\'s final handler and Koa\'s onerror do)', (res) => {
      for (const name of res.getHeaderNames()) res.removeHeader(name);
      res.setHeader('server-timing', 'db;dur=53');
      res.end();
    }, ['db;dur=53', 'OURS']],
  ])('keeps the app\'s metrics and lists ours once: %s', async (_case, respond, expected) => {
    const { fetchTiming, spanId } = await setup((_req, res) => respond(res));
    const { serverTiming } = await fetchTiming();
    const ours = `trace;desc=00-${TRACE_ID}-${await spanId()}-01`;
    expect(serverTiming!.split(',').map((entry) => entry.trim())).toEqual(expected.map((entry) => (entry === 'OURS' ? ours : entry)));
  });

  it('never for ignored requests', async () => {
    const { fetchTiming } = await setup((_req, res) => res.end(), { serverTiming: true, ignore: ['/healthz'] });
    expect((await fetchTiming('/healthz')).serverTiming).toBeNull();
  });

  it.each([['yes'], [1], [null]])('rejects serverTiming %p', (value) => {
    expect(() => traceRequestListener(() => undefined, { serverTiming: value as never })).toThrow(/"traceRequestListener.serverTiming": expected true or false/);
  });
});

describe('server-timing helpers', () => {
  it('traceMetric: only for a valid context; the flags are traceparent\'s', () => {
    expect(traceMetric({ traceId: TRACE_ID, spanId: SPAN_ID, sampled: true })).toBe(`trace;desc=00-${TRACE_ID}-${SPAN_ID}-01`);
    expect(traceMetric({ traceId: TRACE_ID, spanId: SPAN_ID, sampled: false, randomTraceId: true })).toBe(`trace;desc=00-${TRACE_ID}-${SPAN_ID}-02`);
    expect(traceMetric({ traceId: TRACE_ID, spanId: SPAN_ID, sampled: true, randomTraceId: true, debug: true })).toBe(`trace;desc=00-${TRACE_ID}-${SPAN_ID}-03`);
    expect(traceMetric({ traceId: '', spanId: '', sampled: false })).toBeUndefined();
    expect(traceMetric({ traceId: '0'.repeat(32), spanId: SPAN_ID, sampled: true })).toBeUndefined();
  });

  it('addServerTiming does nothing, and does not throw, once headers are sent', () => {
    const res = { headersSent: true, setHeader: jest.fn(), getHeader: jest.fn() } as unknown as ServerResponse;
    const writeHead = res.writeHead;
    expect(() => addServerTiming(res, 'trace;desc=x')).not.toThrow();
    expect(res.setHeader).not.toHaveBeenCalled();
    expect(res.writeHead).toBe(writeHead);
  });

  it('a response whose head is written twice: the second writeHead is passed through untouched', () => {
    const calls: unknown[][] = [];
    const res = {
      headersSent: false,
      headers: {} as Record<string, unknown>,
      setHeader(name: string, value: unknown) {
        this.headers[name] = value;
      },
      getHeader(name: string) {
        return this.headers[name];
      },
      writeHead(...args: unknown[]) {
        calls.push(args);
        this.headersSent = true;
        return this;
      },
    };
    addServerTiming(res as unknown as ServerResponse, 'trace;desc=x');
    (res as unknown as ServerResponse).writeHead(200);
    (res as unknown as ServerResponse).writeHead(500, { 'server-timing': 'late' });
    expect(calls).toEqual([[200], [500, { 'server-timing': 'late' }]]);
    expect(res.headers['server-timing']).toBe('trace;desc=x');
  });
});
