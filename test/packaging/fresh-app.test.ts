// A fresh app outside the workspace, as an npm user makes one (issue #16): every packed tarball
// installed next to express, koa, axios, TypeScript and their types, then a strict type check of
// an ESM and a CommonJS application (node16 and bundler resolution), a CommonJS Express service,
// an ESM Koa service, the same Express service bundled by esbuild and run with no node_modules
// beside it, and the root README's quick start verbatim. No exporter is named in any of them:
// spans reach the viewer through OTLP because @tracewell/otlp is installed (in the bundle:
// because esbuild followed core's literal require of it). Needs `npm run build`.
import { execFile, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startViewer, type RunningViewer, type StoredSpan } from '@tracewell/viewer';

const run = promisify(execFile);
const root = join(__dirname, '..', '..');
const FIXTURES = join(__dirname, 'fresh-app');
// The frameworks, TypeScript and types at the versions the workspace tests, so the install comes
// from npm's cache.
const THIRD_PARTY = ['express', 'koa', 'axios', '@opentelemetry/api', 'typescript', '@types/express', '@types/koa', '@types/node', '@types/cls-hooked'].map(
  (name) => `${name}@${(JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version}`,
);

// The packing step of scripts/check-packages.js (a CommonJS script, typed here).
const { packAll } = require('../../scripts/check-packages.js') as { packAll(destination: string): Promise<Array<{ name: string; tarball: string }>> };

let work: string;
let app: string;
let viewer: RunningViewer;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'tracewell-fresh-app-'));
  app = join(work, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'fresh-app', private: true }));
  mkdirSync(join(work, 'packs'));
  const tarballs = (await packAll(join(work, 'packs'))).map(({ tarball }) => tarball);
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel', 'error', ...tarballs, ...THIRD_PARTY], { cwd: app, maxBuffer: 16 * 1024 * 1024 });
  viewer = await startViewer({ port: 0, log: () => undefined });
}, 180_000);

afterAll(async () => {
  await viewer?.close();
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

/** The environment an app gets: only what a user would set, pointed at the test's viewer. */
function appEnv(service: string): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, OTEL_SERVICE_NAME: service, OTEL_EXPORTER_OTLP_ENDPOINT: viewer.url };
}

/** Runs a script that prints a trace id and exits; returns the id. */
async function traceIdFrom(script: string, cwd: string, service: string): Promise<string> {
  const { stdout } = await run(process.execPath, [script], { cwd, env: appEnv(service), timeout: 30_000 });
  const traceId = stdout.trim().split('\n').pop()!;
  expect(traceId).toMatch(/^[0-9a-f]{32}$/);
  return traceId;
}

/** The spans of a trace once `count` have arrived (exports are asynchronous). */
async function spansOf(traceId: string, count: number): Promise<StoredSpan[]> {
  for (let i = 0; i < 200; i++) {
    const spans = viewer.store.trace(traceId) ?? [];
    if (spans.length >= count) return spans;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return viewer.store.trace(traceId) ?? [];
}

const shape = (spans: StoredSpan[]): string[] => spans.map((s) => `${s.service} ${s.kind} ${s.name}`).sort();

it.each([
  ['an ESM and a CommonJS application (strict, node16)', 'tsconfig.json'],
  ['the ESM application under bundler resolution', 'tsconfig.bundler.json'],
])('%s type-checks against the installed packages', async (_name, config) => {
  const types = join(app, 'types');
  mkdirSync(types, { recursive: true });
  for (const file of ['tsconfig.json', 'tsconfig.bundler.json', 'esm-consumer.mts', 'cjs-consumer.cts']) copyFileSync(join(__dirname, 'fixtures', file), join(types, file));
  const tsc = join(app, 'node_modules', 'typescript', 'bin', 'tsc');
  const output = await run(process.execPath, [tsc, '-p', join(types, config), '--pretty', 'false'], { cwd: app, maxBuffer: 16 * 1024 * 1024 })
    .then(({ stdout }) => stdout, (error: { stdout?: string; stderr?: string }) => `${error.stdout ?? ''}${error.stderr ?? ''}`);
  // skipLibCheck is off so that our declarations are checked too; an error inside a third-party
  // package's types (today @types/koa against content-disposition's own types) is not ours.
  const diagnostics = output.split(/\n(?=\S)/).filter((text) => text.trim() !== '');
  expect(diagnostics.filter((text) => !/^(\.\.\/)*node_modules\/(?!@tracewell\/)/.test(text))).toEqual([]);
}, 60_000);

it('a CommonJS Express service: server, client and server spans in one trace', async () => {
  copyFileSync(join(FIXTURES, 'express-service.cjs'), join(app, 'express-service.cjs'));
  const traceId = await traceIdFrom('express-service.cjs', app, 'cjs-express');
  // axios's call and http.get's (traceHttpClients), each answered by /info.
  expect(shape(await spansOf(traceId, 5))).toEqual(['cjs-express CLIENT GET', 'cjs-express CLIENT GET', 'cjs-express SERVER GET /info', 'cjs-express SERVER GET /info', 'cjs-express SERVER GET /users/:id']);
}, 60_000);

it('an ESM Koa service: the same trace', async () => {
  copyFileSync(join(FIXTURES, 'koa-service.mjs'), join(app, 'koa-service.mjs'));
  const traceId = await traceIdFrom('koa-service.mjs', app, 'esm-koa');
  // axios's call and fetch's (traceHttpClients), each answered by /info.
  expect(shape(await spansOf(traceId, 5))).toEqual(['esm-koa CLIENT GET', 'esm-koa CLIENT GET', 'esm-koa SERVER GET', 'esm-koa SERVER GET', 'esm-koa SERVER GET']);
}, 60_000);

it('the Express service bundled by esbuild runs with no node_modules beside it and still exports', async () => {
  copyFileSync(join(FIXTURES, 'express-service.cjs'), join(app, 'express-service.cjs'));
  const bundled = join(work, 'bundled');
  mkdirSync(bundled);
  // esbuild's bin is its native executable once installed.
  const esbuild = join(root, 'node_modules', '.bin', 'esbuild');
  await run(esbuild, [join(app, 'express-service.cjs'), '--bundle', '--platform=node', '--log-level=error', `--outfile=${join(bundled, 'service.js')}`], { cwd: app });
  const traceId = await traceIdFrom('service.js', bundled, 'bundled');
  expect(shape(await spansOf(traceId, 5))).toEqual(['bundled CLIENT GET', 'bundled CLIENT GET', 'bundled SERVER GET /info', 'bundled SERVER GET /info', 'bundled SERVER GET /users/:id']);
}, 60_000);

it("the root README's quick start, verbatim, shows its trace", async () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const start = readme.indexOf('// app.mjs');
  const code = readme.slice(start, readme.indexOf('```', start));
  expect(code).toContain('app.listen(3000)');
  writeFileSync(join(app, 'app.mjs'), code);
  const child = spawn(process.execPath, ['app.mjs'], { cwd: app, env: appEnv('users'), stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    let output = '';
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    let res: Response | undefined;
    for (let i = 0; i < 100 && res === undefined; i++) {
      res = await fetch('http://localhost:3000/users/42').catch(() => undefined);
      if (res === undefined) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(res?.status).toBe(200);
    expect(await res!.json()).toEqual({ version: 1 });
    // The default batch delay is 5 s: wait for the trace, root first.
    let trace: StoredSpan[] = [];
    for (let i = 0; i < 200 && trace.length < 3; i++) {
      const id = viewer.store.list({ service: 'users' }).traces[0]?.traceId;
      trace = id === undefined ? [] : (viewer.store.trace(id) ?? []);
      if (trace.length < 3) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(shape(trace)).toEqual(['users CLIENT GET', 'users SERVER GET /info', 'users SERVER GET /users/:id']);
    expect(output).toBe('');
  } finally {
    child.kill('SIGKILL');
  }
}, 60_000);
