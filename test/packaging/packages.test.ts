// What an npm user meets (issue #16), checked on the tarballs `npm publish` would upload: attw,
// publint and the file list of every published package (scripts/check-packages.js), and the
// viewer run from its tarball as `npx @tracewell/viewer` runs it (type checks and running apps:
// fresh-app.test.ts). Needs `npm run build` (as `npm test` does).
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';

interface Manifest { name: string; private?: boolean; bin?: Record<string, string> }
interface Checked { name: string; tarball: string; files: string[]; problems: string[] }
interface ExecFailure { code?: number | string; stdout?: string; stderr?: string }

const run = promisify(execFile);
const root = join(__dirname, '..', '..');
const MAX_BUFFER = 64 * 1024 * 1024;

const readManifest = (file: string): Manifest => JSON.parse(readFileSync(file, 'utf8')) as Manifest;

// Listed here rather than taken from the script, so a package the script skipped fails.
const published = readdirSync(join(root, 'packages'))
  .map((dir) => join(root, 'packages', dir, 'package.json'))
  .filter((file) => existsSync(file))
  .map(readManifest)
  .filter((manifest) => manifest.private !== true)
  .map((manifest) => manifest.name)
  .sort();

/** npm's choice for `npx <package>` (libnpmexec's get-bin-from-manifest.js). */
function npxBin(manifest: Manifest): string | undefined {
  const bin = manifest.bin ?? {};
  // The only bin, or several names for one file...
  if (new Set(Object.values(bin)).size === 1) return Object.keys(bin)[0];
  // ...else the bin named like the package without its scope.
  const unscoped = manifest.name.replace(/^@[^/]+\//, '');
  return bin[unscoped] === undefined ? undefined : unscoped;
}

let work: string;
let checked: Checked[];

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'tracewell-packaging-'));
  const script = join(root, 'scripts', 'check-packages.js');
  // It exits 1 when a package has problems; its report on stdout says which.
  const { stdout } = await run(process.execPath, [script, '--json', '--keep', join(work, 'packs')], { cwd: root, maxBuffer: MAX_BUFFER })
    .catch((error: ExecFailure) => (error.code === 1 && error.stdout !== undefined ? { stdout: error.stdout } : Promise.reject(error)));
  checked = JSON.parse(stdout) as Checked[];
}, 120_000);

afterAll(() => {
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

it('every published package: attw finds no problem in any resolution mode, publint none, and the tarball holds only what runs, its types, README and LICENSE', () => {
  const problems = Object.fromEntries(checked.map(({ name, problems }) => [name, problems]));
  expect(problems).toEqual(Object.fromEntries(published.map((name) => [name, []])));
});

it('the viewer installs from its tarball into an empty folder and runs as `npx @tracewell/viewer` would', async () => {
  const viewer = checked.find(({ name }) => name === '@tracewell/viewer')!;
  const app = join(work, 'app');
  // It has no dependencies, so the install needs no registry: --offline, with a cache of its own.
  await run('npm', ['install', '--prefix', app, '--offline', '--cache', join(work, 'npm-cache'), '--no-audit', '--no-fund', viewer.tarball]);
  const bin = npxBin(readManifest(join(app, 'node_modules', '@tracewell', 'viewer', 'package.json')));
  expect(bin).toBeDefined();
  // The bin starts with `#!/usr/bin/env node`: put this Node first on PATH (the test matrix
  // runs Jest on other Node.js versions than the one on PATH).
  const env = { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}` };
  const child = spawn(join(app, 'node_modules', '.bin', bin!), ['--port', '0'], { cwd: app, env, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const match = /on (http:\/\/\S+)/.exec(stdout);
        if (match) resolve(match[1]!);
      });
      child.once('exit', (code) => reject(new Error(`${bin} exited ${code}: ${stderr}`)));
    });
    const services = await fetch(`${url}/api/services`);
    expect(await services.json()).toEqual({ services: [] });
    // The UI's files come from the tarball too (ui/ and dist/ui/).
    for (const path of ['/', '/app.js', '/styles.css']) {
      const res = await fetch(`${url}${path}`);
      await res.arrayBuffer();
      expect([path, res.status]).toEqual([path, 200]);
    }
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  } finally {
    child.kill('SIGKILL');
  }
}, 60_000);
