// Reliability: SIGTERM while traffic flows. A child process (fixtures/traffic-service.js: Express
// front → traced axios → Koa backend, OTLP exporter, `shutdownOnSignal` as the README shows) is
// sent SIGTERM in the middle of continuous keep-alive traffic. shutdownOnSignal first drains
// (keeps exporting while requests run, up to half its deadline), then shuts the tracer down.
// With the collector up, every span that ended before that final shutdown began (the requests
// in flight at the signal included) reaches it before the child exits, and the spans that ended
// later are counted as dropped (`shutdown`); with the collector refusing connections or hanging,
// the child still exits by the deadline. See README.md in this folder.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, createServer, get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeOtlpRequest } from '@tracewell/conformance';
import type { TracerStats } from '@tracewell/core';

const SERVICE = join(__dirname, 'fixtures/traffic-service.js');
/** The deadline given to shutdownOnSignal in the child. */
const TIMEOUT_MILLIS = 2000;
/**
 * Slack for a loaded CI machine on top of the deadline: a bound on behaviour, not a benchmark.
 * Kept below the OTLP request timeout (10 s) and the export timeout (30 s), so a child that
 * ignored the deadline and waited for either would fail.
 */
const MARGIN_MILLIS = 5000;
/** Requests kept in flight by the test, each on its own keep-alive connection. */
const CONCURRENCY = 64;
/** Responses received before the signal is sent, so spans have been exported and are queued. */
const RESPONSES_BEFORE_SIGNAL = 400;
/** Spans the child ends per request: front server, `check stock`, axios client, backend server. */
const SPANS_PER_REQUEST = 4;

// ---- A local OTLP collector ------------------------------------------------------------------

type CollectorMode = 'up' | 'hang';

interface OtlpSpan {
  spanId?: unknown;
}
interface OtlpTraceRequest {
  resourceSpans?: Array<{ scopeSpans?: Array<{ spans?: OtlpSpan[] }> }>;
}

function spanIdsOf(decoded: unknown): string[] {
  const request = decoded as OtlpTraceRequest;
  return (request.resourceSpans ?? []).flatMap((r) => (r.scopeSpans ?? []).flatMap((s) => (s.spans ?? []).map((span) => String(span.spanId))));
}

/** Decodes every OTLP/protobuf request it gets; `up` answers 200, `hang` never answers. */
class Collector {
  readonly spanIds: string[] = [];
  private server: Server | undefined;

  constructor(private readonly mode: CollectorMode) {}

  async start(): Promise<string> {
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        this.spanIds.push(...spanIdsOf(decodeOtlpRequest(Buffer.concat(chunks))));
        // An empty body is a full success in OTLP/HTTP (no partial_success).
        if (this.mode === 'up') response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      });
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** A URL where nothing listens: a port the OS just handed out, closed again. */
async function refusingUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/v1/traces`;
}

// ---- The child -------------------------------------------------------------------------------

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Date.now() when the parent saw the exit. */
  at: number;
}

interface Service {
  child: ChildProcess;
  url: Promise<string>;
  exited: Promise<Exit>;
  stderr(): string;
}

function startService(collectorUrl: string, reportPath: string): Service {
  const child = spawn(process.execPath, [SERVICE, collectorUrl, reportPath, String(TIMEOUT_MILLIS)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // Never leave a child behind, whatever happens to the test.
  const killer = setTimeout(() => child.kill('SIGKILL'), 40_000);
  const exited = new Promise<Exit>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, at: Date.now() });
    });
  });
  const url = new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const ready = /^READY (\S+)$/m.exec(stdout);
      if (ready !== null) resolve(ready[1]!);
    });
    void exited.then((exit) => reject(new Error(`service exited before it was ready (${exit.code ?? exit.signal}): ${stderr}`)));
  });
  return { child, url, exited, stderr: () => stderr };
}

interface Report {
  /** Ids of spans that ended before the tracer's shutdown began. */
  before: string[];
  /** Ids of spans that ended after it began. */
  after: string[];
  /** tracer.stats() when shutdown began, and when the batch processor's shutdown ended. */
  atShutdown: TracerStats | undefined;
  final: TracerStats | undefined;
  warnings: string[];
  fatal: string[];
}

function readReport(path: string): Report {
  const report: Report = { before: [], after: [], atShutdown: undefined, final: undefined, warnings: [], fatal: [] };
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const space = line.indexOf(' ');
    const tag = line.slice(0, space);
    const rest = line.slice(space + 1);
    if (tag === 'B') report.before.push(rest);
    else if (tag === 'A') report.after.push(rest);
    else if (tag === 'SHUTDOWN') report.atShutdown = JSON.parse(rest) as TracerStats;
    else if (tag === 'STATS') report.final = JSON.parse(rest) as TracerStats;
    else if (tag === 'WARN') report.warnings.push(JSON.parse(rest) as string);
    else if (tag === 'FATAL') report.fatal.push(rest);
  }
  return report;
}

// ---- Traffic ---------------------------------------------------------------------------------

/** CONCURRENCY loops, each sending one request after another over its keep-alive connection. */
class Traffic {
  ok = 0;
  private stopped = false;
  private readonly agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  private loops: Array<Promise<void>> = [];
  private waiters: Array<{ count: number; resolve: () => void }> = [];
  private next = 1;

  constructor(private readonly url: string) {}

  start(): void {
    this.loops = Array.from({ length: CONCURRENCY }, () => this.loop());
  }

  /** Resolves once `count` responses have come back. */
  whenResponses(count: number): Promise<void> {
    return this.ok >= count ? Promise.resolve() : new Promise((resolve) => this.waiters.push({ count, resolve }));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.agent.destroy();
    await Promise.all(this.loops);
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      const answered = await this.request(`${this.url}/work/${this.next++}`);
      if (answered) {
        this.ok++;
        this.waiters = this.waiters.filter((w) => (this.ok >= w.count ? (w.resolve(), false) : true));
      } else {
        // Once the service is gone every request fails at once: don't spin.
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }
  }

  private request(url: string): Promise<boolean> {
    return new Promise((resolve) => {
      const req = get(url, { agent: this.agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(true));
        res.on('error', () => resolve(false));
        res.on('aborted', () => resolve(false));
      });
      req.on('error', () => resolve(false));
    });
  }
}

// ---- The scenario ----------------------------------------------------------------------------

interface Outcome {
  exit: Exit;
  /** From the parent's kill() to the parent seeing the exit. */
  shutdownMillis: number;
  /** Responses the traffic had received when the signal was sent. */
  responsesAtSignal: number;
  /** Spans the collector had decoded when the signal was sent. */
  receivedAtSignal: number;
  /** Span ids the collector had decoded when the child's exit was seen. */
  received: string[];
  report: Report;
  stderr: string;
}

let workDir: string;
beforeEach(() => {
  workDir = mkdtempSync(join(tmpdir(), 'tracewell-shutdown-'));
});
afterEach(() => rmSync(workDir, { recursive: true, force: true }));

/** Starts the service, drives traffic, sends SIGTERM mid-traffic and waits for the exit. */
async function terminateUnderTraffic(collectorUrl: string, collector: Collector | undefined): Promise<Outcome> {
  const reportPath = join(workDir, 'report.txt');
  const service = startService(collectorUrl, reportPath);
  const traffic = new Traffic(await service.url);
  try {
    traffic.start();
    const early = service.exited.then((exit) => {
      throw new Error(`service exited under traffic before the signal (${exit.code ?? exit.signal}): ${service.stderr()}`);
    });
    await Promise.race([traffic.whenResponses(RESPONSES_BEFORE_SIGNAL), early]);
    const signalledAt = Date.now();
    const responsesAtSignal = traffic.ok;
    const receivedAtSignal = [...(collector?.spanIds ?? [])].length;
    service.child.kill('SIGTERM');
    const exit = await service.exited;
    const received = [...(collector?.spanIds ?? [])];
    return {
      exit,
      shutdownMillis: exit.at - signalledAt,
      responsesAtSignal,
      receivedAtSignal,
      received,
      report: readReport(reportPath),
      stderr: service.stderr(),
    };
  } finally {
    await traffic.stop();
    service.child.kill('SIGKILL');
  }
}

/** The ids in `a` and not in `b` (first few, for a readable failure). */
function missing(a: readonly string[], b: readonly string[]): { count: number; first: string[] } {
  const set = new Set(b);
  const out = a.filter((id) => !set.has(id));
  return { count: out.length, first: out.slice(0, 5) };
}

function duplicates(ids: readonly string[]): number {
  return ids.length - new Set(ids).size;
}

function totalDropped(stats: TracerStats): number {
  return stats.spansDropped.queueFull + stats.spansDropped.exportFailed + stats.spansDropped.shutdown;
}

/** What every run must show: a clean exit by the re-raised SIGTERM within the deadline. */
function expectCleanExitByDeadline(outcome: Outcome): void {
  // The tracer's diagnostics go to the report: anything on stderr is a failure of its own.
  expect({ fatal: outcome.report.fatal, stderr: outcome.stderr }).toEqual({ fatal: [], stderr: '' });
  // SIGTERM, re-raised by shutdownOnSignal after the flush: not exit code 70 (an unhandled
  // rejection or exception) and not our SIGKILL.
  expect(outcome.exit).toMatchObject({ code: null, signal: 'SIGTERM' });
  expect(outcome.shutdownMillis).toBeLessThan(TIMEOUT_MILLIS + MARGIN_MILLIS);
  expect(outcome.report.final).toBeDefined();
}

describe('SIGTERM under traffic, shutdownOnSignal installed', () => {
  it('collector up: every span ended before shutdown began is delivered before the exit; later ones are counted as dropped', async () => {
    const collector = new Collector('up');
    try {
      const outcome = await terminateUnderTraffic(await collector.start(), collector);
      expectCleanExitByDeadline(outcome);
      const { before, after, atShutdown } = outcome.report;
      const stats = outcome.report.final!;

      // The exact set: nothing ended before shutdown is missing, nothing arrives twice, and
      // nothing arrives that the child did not end before shutdown.
      expect(duplicates(before.concat(after))).toBe(0);
      expect(duplicates(outcome.received)).toBe(0);
      expect(missing(before, outcome.received)).toEqual({ count: 0, first: [] });
      expect(missing(outcome.received, before)).toEqual({ count: 0, first: [] });

      // The spans of requests still running at the signal (and of any that started later)
      // ended after shutdown began: refused, and every one of them counted.
      expect(stats.spansEnded).toBe(before.length + after.length);
      expect(stats.spansExported).toBe(before.length);
      expect(stats.spansDropped).toEqual({ queueFull: 0, exportFailed: 0, shutdown: after.length });
      expect(stats.queued).toBe(0);
      expect(outcome.report.warnings).toEqual([]);

      // Not vacuous: traffic flowed, and spans reached the collector after the signal, so the
      // drain and the final flush are what delivered them. (Counting spans still unexported
      // when shutdown began, as before, was a race: the drain may have just sent them all.)
      expect(before.length).toBeGreaterThanOrEqual(RESPONSES_BEFORE_SIGNAL);
      expect(outcome.received.length).toBeGreaterThan(outcome.receivedAtSignal);
      // The drain: the requests in flight at the signal ended, with their four spans each, before
      // the final flush began, so they were delivered too. Nearly every loop has one in flight;
      // a loop that has just read its response and not yet sent the next has none (seen: one of
      // 64, in a CI run under load), so a few are allowed for. Without the drain about half the
      // loops' spans are missing (measured: 1,731 of 1,856), which this still fails.
      const LOOPS_BETWEEN_REQUESTS = 4;
      expect(atShutdown!.spansEnded).toBeGreaterThanOrEqual(SPANS_PER_REQUEST * (outcome.responsesAtSignal + CONCURRENCY - LOOPS_BETWEEN_REQUESTS));
    } finally {
      await collector.stop();
    }
  }, 60_000);

  /**
   * With no answer, the deadline ends the flush: what was queued, and the batch being exported
   * (its attempt or retry wait is abandoned), is dropped as `shutdown`, and the counters add up.
   */
  function expectDeadlineAccounting(outcome: Outcome): void {
    const stats = outcome.report.final!;
    expect(stats.spansEnded).toBe(outcome.report.before.length + outcome.report.after.length);
    expect(stats.spansExported).toBe(0);
    expect(stats.queued).toBe(0);
    expect(stats.spansDropped.queueFull).toBe(0);
    expect(stats.spansDropped.shutdown).toBeGreaterThanOrEqual(outcome.report.after.length);
    expect(totalDropped(stats)).toBe(stats.spansEnded);
    // The only diagnostics: spans dropped at the deadline, or after failed attempts.
    expect(outcome.report.warnings.length).toBeGreaterThan(0);
    for (const warning of outcome.report.warnings) expect(warning).toMatch(/^(shutdown deadline passed: dropped \d+ |dropped \d+ spans after \d+ export attempt)/);
  }

  it('collector refusing connections: the child still exits by the deadline', async () => {
    const outcome = await terminateUnderTraffic(await refusingUrl(), undefined);
    expectCleanExitByDeadline(outcome);
    expectDeadlineAccounting(outcome);
  }, 60_000);

  it('collector that never answers: the child still exits by the deadline', async () => {
    const collector = new Collector('hang');
    try {
      const outcome = await terminateUnderTraffic(await collector.start(), collector);
      expectCleanExitByDeadline(outcome);
      expectDeadlineAccounting(outcome);
      // It did reach the collector (the export hung on the answer, not on connecting).
      expect(outcome.received.length).toBeGreaterThan(0);
    } finally {
      await collector.stop();
    }
  }, 60_000);
});
