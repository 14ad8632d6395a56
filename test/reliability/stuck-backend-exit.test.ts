// Reliability: a collector that is down, hangs, or trickles its answer must neither hang
// tracer.shutdown() nor keep an idle process alive. A child process (fixtures/stuck-backend-
// client.js: the real OTLP exporter behind createTracer's default batch processor) ends spans
// against such a collector; the parent watches it exit. See README.md in this folder.
import { spawn } from 'node:child_process';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { decodeOtlpRequest, runningServer, type RunningServer } from '@tracewell/conformance';
import type { TracerStats } from '@tracewell/core';

const CLIENT = join(__dirname, 'fixtures/stuck-backend-client.js');
/** The deadline the child gives tracer.shutdown(). */
const SHUTDOWN_MILLIS = 2000;
/**
 * Slack for a loaded 2-core CI machine on top of a bound: a bound on behaviour, not a
 * benchmark. Below the OTLP request timeout (10 s) and the export timeout (30 s), so a child
 * that waited for either would fail.
 */
const MARGIN_MILLIS = 5000;
/**
 * An idle child must exit this soon after its work is done: the 2 s body bound plus slack.
 * Before the fix, a 200 with an endless body held it until the export timeout (30 s).
 */
const IDLE_EXIT_MILLIS = 8000;
/** Spans the child ends in the shutdown modes: one batch of 10 in flight, 15 queued. */
const SPANS = 25;

// ---- Collectors that misbehave ----------------------------------------------------------

type Behaviour = 'hang' | 'trickle-200' | 'trickle-503';

/** Decodes each OTLP request, then never answers, or sends a status and one byte per 200 ms forever. */
class StuckCollector {
  /** Spans in the OTLP requests received (each decoded in full). */
  spans = 0;
  private running: RunningServer | undefined;
  private readonly tricklers = new Set<ReturnType<typeof setInterval>>();

  constructor(private readonly behaviour: Behaviour) {}

  async start(): Promise<string> {
    const server: Server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const decoded = decodeOtlpRequest(Buffer.concat(chunks)) as { resourceSpans?: Array<{ scopeSpans?: Array<{ spans?: unknown[] }> }> };
        for (const r of decoded.resourceSpans ?? []) for (const s of r.scopeSpans ?? []) this.spans += s.spans?.length ?? 0;
        if (this.behaviour !== 'hang') this.trickle(response, this.behaviour === 'trickle-200' ? 200 : 503);
      });
    });
    server.listen(0, '127.0.0.1');
    this.running = await runningServer(server);
    return `${this.running.url}/v1/traces`;
  }

  private trickle(response: ServerResponse, status: number): void {
    response.writeHead(status, { 'content-type': 'application/x-protobuf' });
    response.write(Buffer.from([0]));
    const timer = setInterval(() => response.write(Buffer.from([0])), 200);
    this.tricklers.add(timer);
    response.on('close', () => {
      clearInterval(timer);
      this.tricklers.delete(timer);
    });
  }

  async stop(): Promise<void> {
    for (const timer of this.tricklers) clearInterval(timer);
    await this.running?.close();
  }
}

/** A URL where nothing listens: a port the OS just handed out, closed again. */
async function closedPortUrl(): Promise<string> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  const { url, close } = await runningServer(server);
  await close();
  return `${url}/v1/traces`;
}

// ---- The child -------------------------------------------------------------------------

type Mode = 'shutdown-after-failure' | 'shutdown-mid-export' | 'idle' | 'signal';

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Parsed stdout lines: stats when shutdown was called, when it resolved, and at exit. */
  atShutdown?: TracerStats;
  afterShutdown?: TracerStats;
  atExit?: TracerStats;
  /** From the SHUTDOWN (or IDLE) line to the exit, as the parent saw them. */
  millisToExit: number;
  stderr: string;
}

function runClient(url: string, mode: Mode, exporterTimeoutMillis: number): Promise<Run> {
  const child = spawn(process.execPath, [CLIENT, url, mode, String(exporterTimeoutMillis), String(SHUTDOWN_MILLIS)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let markedAt: number | undefined;
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (markedAt === undefined && /^(SHUTDOWN|IDLE)\b/m.test(stdout)) markedAt = Date.now();
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // Never leave a child behind: far past every bound asserted below.
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  let exitedAt = 0;
  child.on('exit', () => (exitedAt = Date.now()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    // 'close' comes after 'exit' and the end of the child's output.
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      const line = (tag: string): TracerStats | undefined => {
        const match = new RegExp(`^${tag} (.*)$`, 'm').exec(stdout);
        return match === null ? undefined : (JSON.parse(match[1]!) as TracerStats);
      };
      resolve({
        code,
        signal,
        atShutdown: line('SHUTDOWN'),
        afterShutdown: line('STATS'),
        atExit: line('EXIT'),
        millisToExit: exitedAt - (markedAt ?? exitedAt),
        stderr,
      });
    });
  });
}

function accounted(stats: TracerStats): number {
  return stats.spansExported + stats.spansDropped.queueFull + stats.spansDropped.exportFailed + stats.spansDropped.shutdown;
}

/** A clean exit on its own: code 0, nothing on stderr but the tracer's warnings. */
function expectCleanExit(run: Run): void {
  const unexpected = run.stderr.split('\n').filter((line) => line !== '' && !line.startsWith('WARN '));
  expect({ code: run.code, signal: run.signal, unexpected }).toEqual({ code: 0, signal: null, unexpected: [] });
}

// ---- The scenarios ---------------------------------------------------------------------

describe('tracer.shutdown() against a stuck collector, in a child process', () => {
  let collector: StuckCollector | undefined;
  afterEach(async () => {
    await collector?.stop();
    collector = undefined;
  });

  // Exporter timeouts: the default 10 s, except for the hanging collector (1 s, so the first
  // attempt fails quickly and a retry is pending when shutdown is called).
  it.each<[string, Behaviour | 'closed', Mode, number]>([
    ['a closed port', 'closed', 'shutdown-after-failure', 10_000],
    ['a collector that accepts and never answers', 'hang', 'shutdown-after-failure', 1000],
    ['a collector that sends 200, then trickles its body forever', 'trickle-200', 'shutdown-mid-export', 10_000],
    ['a collector that sends 503, then trickles its body forever', 'trickle-503', 'shutdown-after-failure', 10_000],
  ])('%s: shutdown() resolves by its deadline, every span is counted, and the process exits', async (_name, behaviour, mode, exporterTimeoutMillis) => {
    let url: string;
    if (behaviour === 'closed') url = await closedPortUrl();
    else {
      collector = new StuckCollector(behaviour);
      url = await collector.start();
    }
    const run = await runClient(url, mode, exporterTimeoutMillis);
    expectCleanExit(run);

    // Not vacuous: when shutdown was called, spans were still queued or being exported (and
    // after a failure, a retry was pending).
    const before = run.atShutdown!;
    expect(before.spansEnded).toBe(SPANS);
    expect(before.spansEnded - accounted(before)).toBeGreaterThan(0);
    if (mode === 'shutdown-after-failure') expect(before.exportFailures).toBeGreaterThanOrEqual(1);
    else expect(before.exportAttempts).toBeGreaterThanOrEqual(1);

    // shutdown() resolved (the line is printed after it), with every span accounted for.
    const after = run.afterShutdown!;
    expect(after).toBeDefined();
    expect(accounted(after)).toBe(after.spansEnded);
    expect(after).toMatchObject({ spansEnded: SPANS, queued: 0 });
    if (behaviour === 'closed' || behaviour === 'hang' || behaviour === 'trickle-503') expect(after.spansExported).toBe(0);
    expect(run.atExit).toEqual(after); // nothing ran on after shutdown() resolved

    // On its own, by the deadline (plus slack): nothing held it, nothing was left running.
    expect(run.millisToExit).toBeLessThan(SHUTDOWN_MILLIS + MARGIN_MILLIS);
    if (collector !== undefined) expect(collector.spans).toBeGreaterThan(0); // the batch did reach it
  }, 30_000);

  it('shutdownOnSignal, a closed port and a custom processor whose shutdown hangs: SIGTERM still ends the process by the deadline', async () => {
    const run = await runClient(await closedPortUrl(), 'signal', 10_000);
    // Ended by the re-raised SIGTERM (an app that runs forever: nothing else would end it).
    expect({ code: run.code, signal: run.signal }).toEqual({ code: null, signal: 'SIGTERM' });
    expect(run.stderr.split('\n').filter((line) => line !== '' && !line.startsWith('WARN '))).toEqual([]);
    expect(run.atShutdown!.exportFailures).toBeGreaterThanOrEqual(1);
    // The batch processor resolved by the deadline, every span counted; shutdownOnSignal gave
    // the hanging processor 250 ms more, then let the signal take its course.
    const after = run.afterShutdown!;
    expect(accounted(after)).toBe(SPANS);
    expect(after).toMatchObject({ spansEnded: SPANS, spansExported: 0, queued: 0 });
    expect(run.millisToExit).toBeLessThan(SHUTDOWN_MILLIS + 250 + MARGIN_MILLIS);
  }, 30_000);

  it('an idle process whose export got a 200 with an endless body exits within seconds, the export counted', async () => {
    collector = new StuckCollector('trickle-200');
    const run = await runClient(await collector.start(), 'idle', 10_000);
    expectCleanExit(run);
    // Before the fix the body was read until the export timeout (30 s) ended the attempt.
    expect(run.millisToExit).toBeLessThan(IDLE_EXIT_MILLIS);
    // The status decided: after the body bound, the batch counted as exported.
    expect(run.atExit).toMatchObject({ spansEnded: 5, spansExported: 5, exportAttempts: 1, exportFailures: 0, queued: 0 });
    expect(collector.spans).toBe(5);
  }, 30_000);
});
