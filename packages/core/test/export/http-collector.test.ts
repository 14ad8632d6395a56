import { createServer, get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTracer, type Tracer } from '../../src';
import { JsonHttpExporter, TestCollector } from '../support/collector';
import { recordingLogger } from '../support/memory-tracer';

// Real HTTP on 127.0.0.1: a collector that fails, is down, or hangs, and the pipeline that
// must survive it. Retry delays are shortened through options; no fake timers here.
describe('export pipeline against a real local collector', () => {
  let collector: TestCollector | undefined;
  let tracer: Tracer | undefined;
  afterEach(async () => {
    await tracer?.shutdown({ timeoutMillis: 100 });
    await collector?.stop();
    collector = undefined;
    tracer = undefined;
  });

  it('loses no span when the collector answers 503 three times and 429 with Retry-After once', async () => {
    collector = new TestCollector((n, _request, response) => {
      if (n < 3) return void response.writeHead(503).end(), 'handled';
      if (n === 3) return void response.writeHead(429, { 'retry-after': '1' }).end(), 'handled';
      return undefined;
    });
    const url = await collector.start();
    const logger = recordingLogger();
    tracer = createTracer({
      sampler: 'always_on',
      logger,
      exporter: new JsonHttpExporter(url),
      batch: { scheduledDelayMillis: 10, initialBackoffMillis: 20, maxBackoffMillis: 50, maxAttempts: 6 },
    });
    const names = Array.from({ length: 50 }, (_, i) => `span-${i}`);
    for (const name of names) tracer.startSpan(name).end();
    await tracer.flush();
    expect(collector.accepted.sort()).toEqual([...names].sort());
    expect(collector.requests).toBe(5);
    expect(collector.requestTimes[4]! - collector.requestTimes[3]!).toBeGreaterThanOrEqual(950); // Retry-After: 1
    expect(tracer.stats()).toMatchObject({ spansExported: 50, exportAttempts: 5, exportFailures: 4, spansDropped: { queueFull: 0, exportFailed: 0 } });
    expect(logger.messages).toEqual([]);
  });

  it('stays bounded by the queue and counts every drop while the collector is down', async () => {
    collector = new TestCollector();
    const url = await collector.start();
    await collector.stop(); // nothing listens on that port any more
    const logger = recordingLogger();
    tracer = createTracer({
      sampler: 'always_on',
      logger,
      exporter: new JsonHttpExporter(url),
      batch: { maxQueueSize: 100, maxExportBatchSize: 50, scheduledDelayMillis: 5, initialBackoffMillis: 5, maxBackoffMillis: 10, maxAttempts: 3 },
    });
    let maxQueued = 0;
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 250; i++) tracer.startSpan(`r${round}-${i}`).end();
      maxQueued = Math.max(maxQueued, tracer.stats().queued);
      await new Promise((r) => setTimeout(r, 5));
    }
    await tracer.flush();
    const stats = tracer.stats();
    expect(maxQueued).toBeLessThanOrEqual(100);
    expect(stats.spansExported).toBe(0);
    expect(stats.spansDropped.queueFull).toBeGreaterThan(0);
    expect(stats.spansDropped.exportFailed).toBeGreaterThan(0);
    expect(stats.spansDropped.queueFull + stats.spansDropped.exportFailed + stats.queued).toBe(5000);
    // One line per cause, however long the outage: rate-limited.
    expect(logger.messages.filter((m) => m.startsWith('span queue full'))).toHaveLength(1);
    expect(logger.messages.filter((m) => m.startsWith('dropped'))).toHaveLength(1);
    expect(logger.messages[logger.messages.length - 1]).toMatch(/ECONNREFUSED|connect/);
  });

  it('times out a hanging collector while the app keeps serving', async () => {
    const hung: Array<{ closed: boolean }> = [];
    collector = new TestCollector((_n, request) => {
      const entry = { closed: false };
      hung.push(entry);
      request.socket.on('close', () => (entry.closed = true));
      return 'handled'; // never answers
    });
    const url = await collector.start();
    tracer = createTracer({
      sampler: 'always_on',
      logger: recordingLogger(),
      exporter: new JsonHttpExporter(url),
      batch: { scheduledDelayMillis: 5, exportTimeoutMillis: 300 },
    });
    const app: Server = createServer((_req, res) => {
      tracer!.startActiveSpan('GET /', (span) => {
        span.setAttribute('ok', true);
        res.end('ok');
      });
    });
    await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
    const port = (app.address() as AddressInfo).port;
    try {
      tracer.startSpan('first').end();
      await new Promise((r) => setTimeout(r, 50)); // the export is now hanging
      const bodies = await Promise.all(
        Array.from({ length: 20 }, () => new Promise<string>((resolve, reject) => get(`http://127.0.0.1:${port}/`, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve(body));
        }).on('error', reject))),
      );
      expect(bodies).toEqual(Array(20).fill('ok'));
      await new Promise((r) => setTimeout(r, 400));
      expect(tracer.stats().exportFailures).toBeGreaterThanOrEqual(1);
      expect(tracer.stats().spansDropped.exportFailed).toBeGreaterThanOrEqual(1);
      expect(hung[0]?.closed).toBe(true); // the timed-out request was aborted, not leaked
    } finally {
      app.closeAllConnections();
      await new Promise<void>((r) => app.close(() => r()));
    }
  });
});
