'use strict';
// Helpers shared by bench/server/run.js and bench/server/memory.js:
// - startServer(variant, { nodeArgs, node, wrapper, pin, stopMillis }): spawns
//   `node bench/server/app.js <variant>` (pinned to CPU 1 with `taskset -c 1` when taskset
//   exists, there are 2+ CPUs and `pin` is not false; the hop's back end is a child of the front
//   and inherits the pinning), waits for its `{"port":N}` line, and returns { url, pids,
//   get(path), spans(), cpuTicks(), rssKb(), stop() }. pids are the front's and, for the hop,
//   the back end's: CPU and RSS are summed over them. `node` is the binary (default this one),
//   `wrapper` a command the binary runs under (valgrind and its options), `stopMillis` how long
//   stop() waits for each process to exit before SIGKILL (default 5 s).
// - checkSpans(kind, app, spans, served): throws unless the span count shows the variant's
//   instrumentation worked (see MIN_SPANS_PER_REQUEST).
// - startLoad(): spawns bench/server/load.js (autocannon in a child, pinned to CPU 0), returns
//   { run(options) -> summary, stop() }.
// - clockTicks(): `getconf CLK_TCK` (the unit of utime/stime in /proc/<pid>/stat).
// - checkClean(summary, what): throws unless the load saw no errors, timeouts or non-2xx.
const { spawn, execFileSync } = require('node:child_process');
const { readFileSync } = require('node:fs');
const { createInterface } = require('node:readline');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');

const APP = path.join(__dirname, 'app.js');
const LOAD = path.join(__dirname, 'load.js');

function hasTaskset() {
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
    return os.cpus().length >= 2;
  } catch {
    return false;
  }
}
const PINNED = hasTaskset();

/** Command and args for running `command args...`, pinned to `cpu` when possible. */
function pinned(cpu, command, args) {
  return PINNED ? ['taskset', ['-c', String(cpu), command, ...args]] : [command, args];
}

let ticks;
function clockTicks() {
  if (ticks === undefined) {
    try {
      ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticks = 100;
    }
  }
  return ticks;
}

/** utime + stime of a process, in clock ticks. */
function cpuTicksOf(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after "(comm)": state is field 3, utime field 14, stime field 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

function rssKbOf(pid) {
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (match === null) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]);
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function getJson(url) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => {
        if (res.statusCode !== 200) reject(new Error(`GET ${url}: HTTP ${res.statusCode} ${body}`));
        else resolve(JSON.parse(body));
      });
    });
    req.setTimeout(30_000, () => req.destroy(new Error(`GET ${url}: timeout`)));
    req.on('error', reject);
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Spawns one server variant and waits until it listens. */
async function startServer(variant, { nodeArgs = [], node = process.execPath, wrapper = [], pin = true, stopMillis = 5000 } = {}) {
  const commandLine = [...wrapper, node, ...nodeArgs, APP, variant];
  const [command, args] = pin ? pinned(1, commandLine[0], commandLine.slice(1)) : [commandLine[0], commandLine.slice(1)];
  // stdin is a pipe: the server exits if this process dies without stopping it.
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  let exited = false;
  const exit = new Promise((resolve) => child.once('exit', (code, signal) => {
    exited = true;
    resolve({ code, signal });
  }));
  const ready = await Promise.race([
    new Promise((resolve) => createInterface({ input: child.stdout }).once('line', (line) => resolve(JSON.parse(line)))),
    exit.then(({ code, signal }) => {
      throw new Error(`server ${variant} exited before listening (code ${code}, signal ${signal})`);
    }),
    // Under valgrind a start takes tens of seconds.
    new Promise((_, reject) => setTimeout(() => reject(new Error(`server ${variant} did not start within ${wrapper.length > 0 ? 300 : 20} s`)), wrapper.length > 0 ? 300_000 : 20_000).unref()),
  ]).catch((error) => {
    child.kill('SIGKILL');
    throw error;
  });
  // taskset execs node (and valgrind runs its guest in its own process), so child.pid is the
  // server itself.
  const pids = [child.pid, ...(ready.back ? [ready.back.pid] : [])];
  const url = `http://127.0.0.1:${ready.port}`;
  const backUrl = ready.back ? `http://127.0.0.1:${ready.back.port}` : undefined;
  return {
    variant,
    url,
    backUrl,
    pids,
    get: (p) => getJson(url + p),
    /** Spans exported by every process of the variant (front + back for the hop). */
    async spans() {
      const bodies = await Promise.all([url, ...(backUrl ? [backUrl] : [])].map((base) => getJson(`${base}/__spans`)));
      const names = {};
      for (const body of bodies) for (const [name, n] of Object.entries(body.names)) names[name] = (names[name] ?? 0) + n;
      return { spans: bodies.reduce((sum, body) => sum + body.spans, 0), names };
    },
    cpuTicks: () => pids.reduce((sum, pid) => sum + cpuTicksOf(pid), 0),
    rssKb: () => pids.reduce((sum, pid) => sum + rssKbOf(pid), 0),
    async stop() {
      if (!exited) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), stopMillis);
        await exit;
        clearTimeout(timer);
      }
      // The hop's back end exits with its front (SIGTERM from it, or its stdin pipe closing).
      for (const pid of pids.slice(1)) {
        for (let i = 0; i < stopMillis / 100 && isAlive(pid); i++) await sleep(100);
        if (isAlive(pid)) process.kill(pid, 'SIGKILL');
      }
    },
    get exited() {
      return exited;
    },
  };
}

/** Spawns the autocannon child (pinned to CPU 0). */
function startLoad() {
  const [command, args] = pinned(0, process.execPath, [LOAD]);
  const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const pending = new Map();
  let nextId = 0;
  child.on('message', ({ id, result, error }) => {
    const entry = pending.get(id);
    pending.delete(id);
    if (error !== undefined) entry.reject(new Error(`autocannon: ${error}`));
    else entry.resolve(result);
  });
  child.once('exit', (code, signal) => {
    for (const entry of pending.values()) entry.reject(new Error(`load generator exited (code ${code}, signal ${signal})`));
    pending.clear();
  });
  return {
    run(options) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        child.send({ id, options });
      });
    },
    stop() {
      if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.disconnect();
      return exited;
    },
  };
}

// Fewest spans per request that prove the instrumentation worked: Tracewell 1 (3 for the hop:
// front SERVER + axios CLIENT + back SERVER), OpenTelemetry 2 (http + framework: the framework
// instrumentation patched, not just http; 4 for the hop). Variants without a sampled tracer
// export none.
const MIN_SPANS_PER_REQUEST = {
  single: { tracewell: 1, otel: 2 },
  hop: { tracewell: 3, otel: 4 },
};

/** Throws unless `spans` exported for `served` requests fit what variant `kind` of `app` must produce. */
function checkSpans(kind, app, spans, served, names) {
  const min = MIN_SPANS_PER_REQUEST[app === 'hop' ? 'hop' : 'single'][kind] ?? 0;
  const perRequest = spans / served;
  if (min === 0 ? spans !== 0 : perRequest < min * 0.99) {
    throw new Error(`${app}-${kind}: ${spans} spans for ${served} requests (${perRequest.toFixed(2)}/request, expected ${min === 0 ? 0 : `>= ${min}`}): ${JSON.stringify(names)}`);
  }
  return perRequest;
}

/** Fails loudly when a load run saw anything but 2xx answers. */
function checkClean(summary, what) {
  const bad = summary.errors + summary.timeouts + summary.non2xx;
  if (bad > 0 || summary.requests === 0) {
    throw new Error(`${what}: ${summary.requests} requests, ${summary.errors} errors, ${summary.timeouts} timeouts, ${summary.non2xx} non-2xx (status codes ${JSON.stringify(summary.statusCodes)})`);
  }
}

module.exports = { PINNED, clockTicks, startServer, startLoad, checkClean, checkSpans, sleep };
