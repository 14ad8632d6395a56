// Reliability: backend chaos with exact accounting. Each exporter (OTLP, Zipkin, Cloud Trace
// through google-auth-library) sends to a local backend that injects latency, connection
// resets, 5xx storms, 429 with Retry-After and hangs. Whatever the backend does, after
// shutdown every ended span is either exported (and the backend recorded it, exactly once) or
// dropped under the right cause; nothing escapes as an unhandled rejection or an uncaught
// exception; an Express app keeps answering 200. See README.md in this folder.
import { createServer, request, Agent, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runInThisContext } from 'node:vm';
import express from 'express';
import { decodeOtlpRequest } from '@tracewell/conformance';
import { CloudTraceExporter } from '@tracewell/cloud-trace';
import { createTracer, type BatchSpanProcessorOptions, type SpanExporter, type Tracer, type TracerStats } from '@tracewell/core';
import { traceMiddleware } from '@tracewell/express';
import { OTLPTraceExporter } from '@tracewell/otlp';
import { ZipkinExporter } from '@tracewell/zipkin';
// Google's side (the metadata server that issues tokens), as the cloud-trace package's own tests run it.
import { FakeGoogle } from '../../packages/cloud-trace/test/support/fake-google';
import { googleEnv } from '../../packages/cloud-trace/test/support/google-env';

// ---- Faults ---------------------------------------------------------------------------------

/**
 * What the backend does with one request:
 * - `accept`: records the spans and answers 2xx at once; `slow`: the same after SLOW_MS.
 * - `reset`: destroys the connection as soon as the request arrives (the client sees ECONNRESET).
 * - `unavailable`: 502, 503 or 504 in turn (retryable); `internal`: 500 (permanent).
 * - `throttle`: 429 with `Retry-After: 0`; `throttle-hour`: 429 with `Retry-After: 3600`.
 * - `hang`: reads the request and never answers.
 */
type Fault = 'accept' | 'slow' | 'reset' | 'unavailable' | 'internal' | 'throttle' | 'throttle-hour' | 'hang';
const FAULTS: readonly Fault[] = ['accept', 'slow', 'reset', 'unavailable', 'internal', 'throttle', 'throttle-hour', 'hang'];
/** Latency of `slow`: well under every exporter timeout below, so a slow answer is never also a timeout. */
const SLOW_MS = 15;
const UNAVAILABLE = [502, 503, 504];

/** How one exporter's backend speaks: where batches go, how to count their spans, how to say OK. */
interface Protocol {
  name: string;
  /** Span ids in one request, or a reason the request is malformed. */
  spanIds(req: IncomingMessage, body: Buffer): string[] | string;
  /** A 2xx answer as the real backend gives it. */
  accept(res: ServerResponse): void;
  /** The exporter under test, sending to `baseUrl`; `timeoutMillis` is its per-request timeout. */
  exporter(baseUrl: string, timeoutMillis: number): SpanExporter;
}

const google = new FakeGoogle();
const noLog = { warn: (): void => undefined };

const PROTOCOLS: Protocol[] = [
  {
    name: 'otlp',
    spanIds(req, body) {
      if (req.url !== '/v1/traces' || req.headers['content-type'] !== 'application/x-protobuf') return `unexpected ${req.url} ${req.headers['content-type']}`;
      const decoded = decodeOtlpRequest(body) as { resourceSpans?: Array<{ scopeSpans?: Array<{ spans?: Array<{ spanId: string }> }> }> };
      return (decoded.resourceSpans ?? []).flatMap((rs) => (rs.scopeSpans ?? []).flatMap((ss) => (ss.spans ?? []).map((s) => s.spanId)));
    },
    accept: (res) => void res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end(),
    exporter: (baseUrl, timeoutMillis) => new OTLPTraceExporter({ url: `${baseUrl}/v1/traces`, timeoutMillis, logger: noLog }),
  },
  {
    name: 'zipkin',
    spanIds(req, body) {
      if (req.url !== '/api/v2/spans' || req.headers['content-type'] !== 'application/json') return `unexpected ${req.url} ${req.headers['content-type']}`;
      const spans = JSON.parse(body.toString('utf8')) as Array<{ id: string }>;
      return Array.isArray(spans) ? spans.map((s) => s.id) : 'not a JSON list';
    },
    accept: (res) => void res.writeHead(202).end(),
    exporter: (baseUrl, timeoutMillis) => new ZipkinExporter({ url: `${baseUrl}/api/v2/spans`, timeoutMillis, logger: noLog }),
  },
  {
    name: 'cloud-trace',
    spanIds(req, body) {
      if (req.url !== `/v2/projects/${google.project}/traces:batchWrite`) return `unexpected ${req.url}`;
      // Proves the request went through google-auth-library and the local metadata server.
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (token === undefined || !google.issued.has(token)) return 'a token the metadata server did not issue';
      const parsed = JSON.parse(body.toString('utf8')) as { spans?: Array<{ spanId: string }> };
      return Array.isArray(parsed.spans) ? parsed.spans.map((s) => s.spanId) : 'no spans list';
    },
    accept: (res) => void res.writeHead(200, { 'content-type': 'application/json' }).end('{}'),
    exporter: (baseUrl, timeoutMillis) => new CloudTraceExporter({ apiEndpoint: baseUrl, timeoutMillis, logger: noLog }),
  },
];

/**
 * A local backend on 127.0.0.1 whose answer to request number `i` is `plan(i)`. It records the
 * span ids of every batch it accepted, so the test compares what the tracer says it exported
 * with what really arrived.
 */
class ChaosBackend {
  /** Span ids of accepted batches, in order (a duplicate would mean a batch counted twice). */
  readonly accepted: string[] = [];
  /** Requests answered by each fault. */
  readonly seen = Object.fromEntries(FAULTS.map((f) => [f, 0])) as Record<Fault, number>;
  /** Requests the backend could not read (wrong path, token, body): must stay empty. */
  readonly malformed: string[] = [];
  requests = 0;
  private readonly server: Server;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly protocol: Protocol,
    public plan: (request: number) => Fault,
  ) {
    this.server = createServer((req, res) => this.handle(req, res));
    // A client error (a reset mid-request) is part of the game, not a test failure.
    this.server.on('clientError', (_error, socket) => socket.destroy());
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this.url;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const fault = this.plan(this.requests++);
    this.seen[fault]++;
    if (fault === 'reset') {
      req.socket.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('error', () => undefined);
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      switch (fault) {
        case 'accept':
          return this.accept(req, res, body);
        case 'slow': {
          const timer = setTimeout(() => {
            this.timers.delete(timer);
            this.accept(req, res, body);
          }, SLOW_MS);
          this.timers.add(timer);
          return;
        }
        case 'unavailable':
          return void res.writeHead(UNAVAILABLE[this.seen.unavailable % UNAVAILABLE.length]!).end('{"error":{"message":"try later"}}');
        case 'internal':
          return void res.writeHead(500).end('{"error":{"message":"internal"}}');
        case 'throttle':
          return void res.writeHead(429, { 'retry-after': '0' }).end();
        case 'throttle-hour':
          return void res.writeHead(429, { 'retry-after': '3600' }).end();
        case 'hang':
          return; // the client gives up; stop() closes the socket
      }
    });
  }

  private accept(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
    // The client gave up first (its timeout): it will not count this batch, so neither do we.
    if (req.socket.destroyed) return;
    let ids: string[] | string;
    try {
      ids = this.protocol.spanIds(req, body);
    } catch (error) {
      ids = `undecodable body: ${error instanceof Error ? error.message : String(error)}`;
    }
    if (typeof ids === 'string') {
      this.malformed.push(ids);
      res.writeHead(400).end();
      return;
    }
    this.accepted.push(...ids);
    this.protocol.accept(res);
  }
}

/** Cycles through `faults`, request after request. */
const cycle = (faults: readonly Fault[]) => (i: number): Fault => faults[i % faults.length]!;

// ---- Guards: nothing may escape -------------------------------------------------------------

// Jest gives each test file a copy of `process`: listeners added to it never hear the real
// process's events. vm's runInThisContext evaluates in Node's main context, whose `process`
// is the real one, where an unhandled rejection or uncaught exception is actually reported.
const realProcess = runInThisContext('process') as NodeJS.Process;
const escaped: string[] = [];
const onRejection = (reason: unknown): void => void escaped.push(`unhandledRejection: ${reason instanceof Error ? reason.stack : String(reason)}`);
const onException = (error: Error): void => void escaped.push(`uncaughtException: ${error.stack ?? String(error)}`);
let restoreEnv: () => void;

beforeAll(async () => {
  realProcess.on('unhandledRejection', onRejection);
  realProcess.on('uncaughtException', onException);
  await google.start();
  // Tokens come from the local metadata server. The project comes from GOOGLE_CLOUD_PROJECT:
  // without it google-auth-library first runs `gcloud config config-helper` when gcloud is
  // installed (about 2 s, and gcloud may touch the network) before asking the metadata server.
  restoreEnv = googleEnv({ GCE_METADATA_HOST: google.metadataHost, METADATA_SERVER_DETECTION: 'assume-present', GOOGLE_CLOUD_PROJECT: google.project });
  // google-auth-library loads its HTTP client on first use: do it here, so no case's first
  // export attempt spends its time budget on module loading instead of the backend.
  const cloudTrace = PROTOCOLS.find((p) => p.name === 'cloud-trace')!;
  const warmUp = new ChaosBackend(cloudTrace, () => 'accept');
  const url = await warmUp.start();
  const tracer = createTracer({ sampler: 'always_on', logger: noLog, exporter: cloudTrace.exporter(url, 10_000), batch: { scheduledDelayMillis: 1 } });
  tracer.startSpan('warm-up').end();
  await tracer.shutdown();
  await warmUp.stop();
});

afterEach(async () => {
  // Rejections are reported after the microtask queue drains: give them a few turns.
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
  expect(escaped.splice(0)).toEqual([]); // emptied, so one escape fails one test, not all after it
});

afterAll(async () => {
  restoreEnv();
  await google.stop();
  realProcess.off('unhandledRejection', onRejection);
  realProcess.off('uncaughtException', onException);
});

// ---- Helpers ----------------------------------------------------------------------------------

/** A tracer whose default batch processor exports through `protocol` to `backend`. */
function chaosTracer(protocol: Protocol, backend: ChaosBackend, batch: BatchSpanProcessorOptions, exporterTimeoutMillis = 10_000): Tracer {
  return createTracer({
    serviceName: 'chaos',
    sampler: 'always_on',
    logger: noLog,
    exporter: protocol.exporter(backend.url, exporterTimeoutMillis),
    batch: { scheduledDelayMillis: 5, initialBackoffMillis: 5, maxBackoffMillis: 20, ...batch },
  });
}

/** Ends `count` spans (a parent with a child, attributes and an event each), remembering their ids. */
function endSpans(tracer: Tracer, count: number, ended: Set<string>): void {
  for (let i = 0; i < count; i += 2) {
    const parent = tracer.startSpan(`job ${i}`, { attributes: { 'job.index': i } });
    const children = Math.min(1, count - i - 1);
    for (let c = 0; c < children; c++) {
      const child = tracer.startSpan('step', { parent });
      child.addEvent('checkpoint', { at: c });
      child.end();
      ended.add(child.spanContext().spanId);
    }
    parent.end();
    ended.add(parent.spanContext().spanId);
  }
}

const totalDropped = (stats: TracerStats): number => Object.values(stats.spansDropped).reduce((sum, n) => sum + n, 0);

/**
 * The promise of the suite: every ended span is exported or dropped (by cause), nothing is
 * left queued, the backend recorded exactly the exported spans, once each, all of them spans
 * the test ended, and every export attempt the tracer counted reached the backend.
 */
function expectExactAccounting(tracer: Tracer, backend: ChaosBackend, ended: ReadonlySet<string>): TracerStats {
  const stats = tracer.stats();
  expect(stats.spansEnded).toBe(ended.size);
  expect(stats.queued).toBe(0);
  expect(stats.spansExported + totalDropped(stats)).toBe(stats.spansEnded);
  expect(backend.malformed).toEqual([]);
  expect(backend.accepted).toHaveLength(stats.spansExported);
  expect(new Set(backend.accepted).size).toBe(backend.accepted.length);
  expect(backend.accepted.filter((id) => !ended.has(id))).toEqual([]);
  expect(backend.requests).toBe(stats.exportAttempts);
  return stats;
}

const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `condition()` holds (polling; no deadline of its own, Jest's timeout applies). */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await wait(5);
}

// ---- Cases, for each exporter -----------------------------------------------------------------

describe.each(PROTOCOLS)('backend chaos: $name exporter', (protocol) => {
  let backend: ChaosBackend;
  afterEach(() => backend.stop());

  async function startBackend(plan: (request: number) => Fault): Promise<void> {
    backend = new ChaosBackend(protocol, plan);
    await backend.start();
  }

  it('flaky backend (latency, resets, 502/503/504, 429 Retry-After: 0): every span arrives exactly once', async () => {
    // Never more than two failures in a row (one export at a time, so requests of one batch
    // are consecutive), and 6 attempts per batch: every batch must get through.
    await startBackend(cycle(['reset', 'unavailable', 'slow', 'throttle', 'unavailable', 'accept', 'reset', 'throttle', 'slow']));
    const tracer = chaosTracer(protocol, backend, { maxExportBatchSize: 8, exportTimeoutMillis: 5000, maxAttempts: 6 });
    const ended = new Set<string>();
    for (let burst = 0; burst < 6; burst++) {
      endSpans(tracer, 20, ended);
      await wait(2);
    }
    await tracer.shutdown(); // no flush first: shutdown must deliver what is queued
    const stats = expectExactAccounting(tracer, backend, ended);
    expect(stats.spansExported).toBe(ended.size);
    expect(stats.exportFailures).toBeGreaterThan(0);
    for (const fault of ['reset', 'unavailable', 'slow', 'throttle', 'accept'] as const) expect(backend.seen[fault]).toBeGreaterThan(0);
  });

  it('5xx storm (503s and permanent 500s), then recovery: storm batches are exportFailed, later ones arrive', async () => {
    await startBackend(cycle(['unavailable', 'internal', 'unavailable']));
    const tracer = chaosTracer(protocol, backend, { maxExportBatchSize: 8, exportTimeoutMillis: 5000, maxAttempts: 3 });
    const ended = new Set<string>();
    endSpans(tracer, 40, ended);
    await tracer.flush();
    const storm = tracer.stats();
    expect(storm.spansExported).toBe(0);
    expect(storm.spansDropped.exportFailed).toBe(ended.size);
    // A permanent 500 is not retried: fewer attempts than batches x maxAttempts.
    expect(backend.seen.internal).toBeGreaterThan(0);
    expect(storm.exportAttempts).toBeLessThan(Math.ceil(40 / 8) * 3);

    backend.plan = () => 'accept';
    const before = ended.size;
    endSpans(tracer, 40, ended);
    await tracer.shutdown();
    const stats = expectExactAccounting(tracer, backend, ended);
    expect(stats.spansExported).toBe(ended.size - before);
    expect(stats.spansDropped).toEqual({ queueFull: 0, exportFailed: before, shutdown: 0 });
  });

  it('429 with a Retry-After beyond the export timeout: dropped as exportFailed at once, not retried', async () => {
    await startBackend(() => 'throttle-hour');
    const tracer = chaosTracer(protocol, backend, { maxExportBatchSize: 5, exportTimeoutMillis: 2000, maxAttempts: 5 });
    const ended = new Set<string>();
    endSpans(tracer, 20, ended);
    await tracer.shutdown();
    const stats = expectExactAccounting(tracer, backend, ended);
    expect(stats.spansDropped).toEqual({ queueFull: 0, exportFailed: ended.size, shutdown: 0 });
    expect(stats.exportAttempts).toBe(Math.ceil(ended.size / 5));
  });

  it('hanging backend and a tiny queue: overflow is queueFull, timed-out exports are exportFailed', async () => {
    await startBackend(() => 'hang');
    // The processor's export timeout (not the exporter's longer request timeout) ends each
    // attempt, and with it the batch's whole time budget: one attempt per batch. 300 ms leaves
    // Cloud Trace's first token fetch from the metadata server time to reach the backend.
    const tracer = chaosTracer(protocol, backend, { maxQueueSize: 8, maxExportBatchSize: 4, exportTimeoutMillis: 300, maxAttempts: 3 });
    const ended = new Set<string>();
    endSpans(tracer, 50, ended); // synchronously: nothing is exported inside span.end()
    expect(tracer.stats().spansDropped.queueFull).toBe(50 - 8);
    await tracer.shutdown({ timeoutMillis: 5000 });
    const stats = expectExactAccounting(tracer, backend, ended);
    expect(stats.spansDropped).toEqual({ queueFull: 50 - 8, exportFailed: 8, shutdown: 0 });
    expect(backend.seen.hang).toBe(8 / 4);
  });

  it('hanging backend with a short request timeout: each attempt times out and is retried, then exportFailed', async () => {
    await startBackend(() => 'hang');
    const tracer = chaosTracer(protocol, backend, { maxExportBatchSize: 10, exportTimeoutMillis: 5000, maxAttempts: 3 }, 60);
    const ended = new Set<string>();
    endSpans(tracer, 10, ended);
    await tracer.shutdown();
    const stats = expectExactAccounting(tracer, backend, ended);
    expect(stats.spansDropped).toEqual({ queueFull: 0, exportFailed: 10, shutdown: 0 });
    expect(stats.exportAttempts).toBe(3);
  });

  it('slow backend and a tiny queue: what does not fit is queueFull, the rest arrives', async () => {
    await startBackend(() => 'slow');
    const tracer = chaosTracer(protocol, backend, { maxQueueSize: 16, maxExportBatchSize: 8, exportTimeoutMillis: 5000 });
    const ended = new Set<string>();
    endSpans(tracer, 100, ended);
    await tracer.shutdown();
    const stats = expectExactAccounting(tracer, backend, ended);
    expect(stats.spansDropped).toEqual({ queueFull: 100 - 16, exportFailed: 0, shutdown: 0 });
    expect(stats.spansExported).toBe(16);
  });

  it('shutdown deadline while an export hangs: queued and in-flight spans are shutdown drops, counted once; later spans too', async () => {
    await startBackend(() => 'hang');
    const tracer = chaosTracer(protocol, backend, { maxExportBatchSize: 4, exportTimeoutMillis: 30_000 });
    const ended = new Set<string>();
    endSpans(tracer, 10, ended);
    await until(() => backend.requests === 1); // the first batch is in flight, hanging
    await tracer.shutdown({ timeoutMillis: 100 });
    expect(tracer.stats().spansDropped).toEqual({ queueFull: 0, exportFailed: 0, shutdown: 10 });
    endSpans(tracer, 4, ended); // after shutdown
    const stats = expectExactAccounting(tracer, backend, ended);
    expect(stats.spansDropped).toEqual({ queueFull: 0, exportFailed: 0, shutdown: 14 });
    // The abandoned export is not retried behind our back: counts stay put.
    await wait(50);
    expect(tracer.stats()).toEqual(stats);
    expect(backend.requests).toBe(stats.exportAttempts);
  });

  it('a real Express app keeps answering 200 while its backend resets, fails, throttles and hangs', async () => {
    await startBackend(cycle(['accept', 'reset', 'slow', 'unavailable', 'hang', 'throttle', 'internal', 'accept', 'throttle-hour', 'slow', 'unavailable']));
    const tracer = chaosTracer(protocol, backend, { maxQueueSize: 24, maxExportBatchSize: 6, exportTimeoutMillis: 1000, maxAttempts: 3 }, 150);
    const handled = new Set<string>();
    const app = express();
    app.use(traceMiddleware({ tracer }));
    app.get('/orders/:id', (req, res) => {
      handled.add(req.span.spanContext().spanId);
      res.json({ id: req.params.id });
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const agent = new Agent({ keepAlive: true, maxSockets: 8 });
    const REQUESTS = 160;
    const statuses: number[] = [];
    try {
      let next = 0;
      const client = async (): Promise<void> => {
        while (next < REQUESTS) {
          const id = next++;
          statuses.push(await getStatus(`${base}/orders/${id}`, agent));
          if (id % 20 === 0) await wait(15); // let the exporter run between bursts
        }
      };
      await Promise.all(Array.from({ length: 8 }, client));
      // Server spans end on the response's 'finish', which may come just after the client has the answer.
      await until(() => tracer.stats().spansEnded === REQUESTS);
    } finally {
      agent.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    await tracer.shutdown({ timeoutMillis: 5000 });
    expect(statuses).toEqual(Array.from({ length: REQUESTS }, () => 200));
    expect(handled.size).toBe(REQUESTS);
    const stats = expectExactAccounting(tracer, backend, handled);
    expect(stats.spansExported).toBeGreaterThan(0);
    expect(stats.spansDropped.exportFailed).toBeGreaterThan(0);
    expect(backend.seen.hang + backend.seen.reset).toBeGreaterThan(0);
  });
});

/** GET with plain Node http (no instrumentation), body drained; resolves with the status. */
function getStatus(url: string, agent: Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}
