import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { missingFrom, waitForTrace, type ViewerSpan } from '../src/viewer-api';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const span = (spanId: string, parentSpanId: string | null, service: string): ViewerSpan => ({
  traceId: TRACE,
  spanId,
  parentSpanId,
  name: spanId,
  kind: 'SERVER',
  service,
  startTime: 0,
  endTime: 1,
  durationMs: 1,
  attributes: {},
  events: [],
  status: { code: 'UNSET' },
});

describe('waitForTrace', () => {
  let server: Server;
  let url: string;
  let stored: ViewerSpan[] = [];
  beforeAll(async () => {
    // Stands in for the viewer's GET /api/traces/:traceId.
    server = createServer((req, res) => {
      const spans = stored.filter((s) => req.url === `/api/traces/${s.traceId}`);
      if (spans.length === 0) res.writeHead(404).end('{"error":"no such trace"}');
      else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ traceId: TRACE, spans }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('waits for the root, every service and a stable span count, as batches arrive', async () => {
    stored = [];
    const arrivals = [[span('c', 'b', 'back')], [span('b', 'a', 'front')], [span('a', null, 'front')], [span('d', 'b', 'back')]];
    const timer = setInterval(() => stored.push(...(arrivals.shift() ?? [])), 60);
    try {
      const spans = await waitForTrace(url, TRACE, { services: ['front', 'back'], settleMillis: 150, pollMillis: 10 });
      expect(spans.map((s) => s.spanId).sort()).toEqual(['a', 'b', 'c', 'd']);
    } finally {
      clearInterval(timer);
    }
  });

  it('gives up with what is missing', async () => {
    stored = [span('a', null, 'front')];
    await expect(waitForTrace(url, TRACE, { services: ['front', 'back'], timeoutMillis: 200, pollMillis: 10 })).rejects.toThrow(`trace ${TRACE} is incomplete after 200 ms: nothing yet from back`);
    expect(missingFrom(undefined, [])).toBe('no spans yet');
    expect(missingFrom([span('b', 'a', 'front')], ['front'])).toBe('no root span yet (1 spans)');
  });
});
