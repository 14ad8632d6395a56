// Traced services as real Node processes (OpenTelemetry's require hooks do not fire under
// Jest's module system), and reading what they exported from an in-test viewer.
import type { RunningViewer, StoredSpan, ViewerStats } from '@tracewell/viewer';
import type { PostgresCluster } from '@tracewell/conformance';
import pg from 'pg';
import { spawn } from 'node:child_process';
import * as path from 'node:path';

/** A span as the viewer's API returns it. */
export type ViewerSpan = StoredSpan;

/** A fixture process, listening on 127.0.0.1. */
export interface Service {
  readonly url: string;
  readonly pid: number;
  /** What it wrote to stderr so far (for failure messages). */
  stderr(): string;
  /** SIGTERM, SIGKILL after 3 s; resolves once the process has exited. Safe to call twice. */
  stop(): Promise<void>;
}

export const FIXTURES = path.join(__dirname, '..', 'fixtures');
const READY_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 3_000;

/**
 * Starts `node fixtures/<file> ...args` with `env` over a clean environment (no OTEL_* or
 * NODE_OPTIONS of the test runner), and waits for the `{"port": N}` line on its stdout. The
 * child's stdin is a pipe it watches: if this process dies, the child exits too.
 */
export function startService(file: string, args: string[], env: Record<string, string>): Promise<Service> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('OTEL_') && key !== 'NODE_OPTIONS'));
  const child = spawn(process.execPath, [path.join(FIXTURES, file), ...args], { env: { ...base, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => void (stderr = (stderr + chunk).slice(-16_384)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), STOP_TIMEOUT_MS).unref());
        if ((await Promise.race([exited, timer])) === 'timeout') {
          child.kill('SIGKILL');
          await exited;
        }
      }
      child.stdin.destroy();
      child.stdout.destroy();
      child.stderr.destroy();
    })());
  return new Promise<Service>((resolve, reject) => {
    let stdout = '';
    const fail = (why: string) => {
      clearTimeout(timer);
      void stop().then(() => reject(new Error(`${file} ${args.join(' ')} ${why}. stderr:\n${stderr}`)));
    };
    const timer = setTimeout(() => fail(`did not print its port within ${READY_TIMEOUT_MS} ms`), READY_TIMEOUT_MS);
    child.once('error', (error) => fail(`could not be started (${error.message})`));
    const onExit = (code: number | null, signal: string | null) => fail(`exited (${signal ?? `code ${code}`}) before it was ready`);
    child.once('exit', onExit);
    child.stdout.setEncoding('utf8').on('data', function onData(chunk: string) {
      stdout += chunk;
      const newline = stdout.indexOf('\n');
      if (newline === -1) return;
      child.stdout.off('data', onData);
      child.off('exit', onExit);
      let port: unknown;
      try {
        port = (JSON.parse(stdout.slice(0, newline)) as { port?: unknown }).port;
      } catch {
        port = undefined;
      }
      if (typeof port !== 'number') return fail(`printed ${JSON.stringify(stdout.slice(0, newline))} instead of {"port": N}`);
      clearTimeout(timer);
      resolve({ url: `http://127.0.0.1:${port}`, pid: child.pid!, stderr: () => stderr, stop });
    });
  });
}

/** True while a process with this pid exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** GET as JSON, with the status. */
export async function getJson<T>(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: T }> {
  const res = await fetch(url, { headers });
  return { status: res.status, body: (await res.json()) as T };
}

/** The spans the viewer holds for a trace ([] if none). */
export async function traceSpans(viewer: RunningViewer, traceId: string): Promise<ViewerSpan[]> {
  const res = await fetch(`${viewer.url}/api/traces/${traceId}`);
  return res.ok ? ((await res.json()) as { spans: ViewerSpan[] }).spans : [];
}

export async function viewerStats(viewer: RunningViewer): Promise<ViewerStats> {
  return (await getJson<ViewerStats>(`${viewer.url}/api/stats`)).body;
}

/**
 * Calls `read` until `done` holds for its result (every 25 ms, at most `timeoutMs`), and
 * returns the last result either way: the caller's exact assertions then say what is missing.
 */
export async function pollUntil<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() >= deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Spans of a trace once at least `count` have arrived (bounded wait). */
export function waitForTrace(viewer: RunningViewer, traceId: string, count: number): Promise<ViewerSpan[]> {
  return pollUntil(() => traceSpans(viewer, traceId), (spans) => spans.length >= count);
}

/** The one span matching `predicate`; fails naming what there was instead. */
export function only(spans: ViewerSpan[], what: string, predicate: (span: ViewerSpan) => boolean): ViewerSpan {
  const found = spans.filter(predicate);
  if (found.length !== 1) {
    throw new Error(`expected exactly one ${what}, found ${found.length} among: ${spans.map((s) => `${s.service}/${s.kind}/${s.name}`).join(', ')}`);
  }
  return found[0]!;
}

/** Creates and fills the `users` table the fixtures query (ids 1..count; 1 is `ada`, the others `user-<id>`), untraced. */
export async function seedUsers(db: PostgresCluster, count: number): Promise<void> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    await client.query('CREATE TABLE users (id int PRIMARY KEY, name text NOT NULL)');
    await client.query(`INSERT INTO users SELECT i, CASE WHEN i = 1 THEN 'ada' ELSE 'user-' || i END FROM generate_series(1, ${count}) AS i`);
  } finally {
    await client.end();
  }
}
