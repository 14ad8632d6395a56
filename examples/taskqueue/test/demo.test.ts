// `npm run demo -- --once`, run as a user would (built: `npx tsc -b` first, as `npm test` does).
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const DEMO = join(__dirname, '..', 'dist', 'demo.js');

interface Row {
  depth: number;
  name: string;
  service: string;
  children: Row[];
}

/** The waterfall's rows, nested by their indentation. */
function parseTree(lines: readonly string[]): Row[] {
  const roots: Row[] = [];
  const open: Row[] = [];
  for (const line of lines) {
    const match = /^( *)(.+?) \[([\w-]+)\]\s+\d+\.\d ms \|[█ ]{40}\|$/.exec(line);
    if (match === null) throw new Error(`not a waterfall row: ${JSON.stringify(line)}`);
    const row: Row = { depth: match[1]!.length / 2, name: match[2]!, service: match[3]!, children: [] };
    open.length = row.depth;
    (row.depth === 0 ? roots : open[row.depth - 1]!.children).push(row);
    open.push(row);
  }
  return roots;
}

function run(args: string[], env: NodeJS.ProcessEnv, timeoutMillis: number): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string; millis: number }> {
  const began = Date.now();
  const child = spawn(process.execPath, [DEMO, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMillis);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, millis: Date.now() - began });
    });
  });
}

describe('npm run demo -- --once', () => {
  it('prints one trace across the five service processes as the seed call tree, then exits 0 with every process stopped', async () => {
    const result = await run(['--once'], { ...process.env, TRACEWELL_VIEWER_PORT: '0' }, 30_000);
    expect({ code: result.code, signal: result.signal, stderr: result.stderr }).toEqual({ code: 0, signal: null, stderr: '' });
    expect(result.millis).toBeLessThan(30_000);
    const out = result.stdout;

    // The services' own output stays out of the way.
    expect(out).not.toMatch(/^\[(frontend|auth|queue|system|render)\]/m);

    const header = /^Trace ([0-9a-f]{32}): (\d+) spans from (\d+) services, \d+\.\d ms$/m.exec(out);
    expect(header).not.toBeNull();
    const [, traceId, spanCount, serviceCount] = header!;
    expect([spanCount, serviceCount]).toEqual(['11', '5']);

    const lines = out.split('\n');
    const first = lines.findIndex((line) => line.startsWith('Trace ')) + 2;
    const tree = parseTree(lines.slice(first, lines.indexOf('', first)));

    // One root, TaskQueue.Stats, calling the four others: every call a CLIENT span of the
    // front end with the SERVER span of the service that answered it right below it. HTTP calls
    // show the method and path they called; a gRPC call bears its method's name, as its server span.
    expect(tree).toHaveLength(1);
    const [root] = tree;
    expect([root!.name, root!.service]).toEqual(['TaskQueue.Stats', 'frontend']);
    const calls = root!.children.map((call) => {
      expect(call.service).toBe('frontend');
      expect(call.children).toHaveLength(1);
      const [server] = call.children;
      expect(server!.children).toEqual([]);
      if (server!.service === 'queue') expect(call.name).toBe(server!.name);
      else expect(call.name).toMatch(new RegExp(`^(GET|POST) /${server!.name.replace('.', '\\.')}$`));
      return `${server!.name} [${server!.service}]`;
    });
    // Auth first, the two reports and the stats (started together, in any order), the render last.
    expect(calls[0]).toBe('TaskQueue.Auth [auth]');
    expect(calls.slice(1, 4).sort()).toEqual(['System.Stats [system]', 'taskqueue.QueueService/Report [queue]', 'taskqueue.QueueService/Report [queue]']);
    expect(calls[4]).toBe('Graphviz.Render [render]');
    expect(calls).toHaveLength(5);

    // The critical path ends in the render: the verdict names it, with its share.
    expect(out).toMatch(/^Why it was slow: Graphviz\.Render \[render\] is \d+% of the critical path \(/m);
    expect(out).toMatch(/^Critical path, by the time each operation held it:$/m);
    expect(out).toMatch(new RegExp(`^In the viewer: http://127\\.0\\.0\\.1:\\d+/#/traces/${traceId}$`, 'm'));

    // Five processes were started, and none is left; the queue service is reached at a gRPC target.
    const started = [...out.matchAll(/^ {2}(\w+) +(Express|Koa|grpc-js) +((?:http:\/\/)?127\.0\.0\.1:\d+) +(\S+) +pid (\d+)$/gm)];
    expect(started.map((m) => `${m[1]} ${m[2]} ${m[3]!.replace(/\d+$/, 'PORT')} ${m[4]}`)).toEqual([
      'frontend Express http://127.0.0.1:PORT TaskQueue.Stats',
      'auth Koa http://127.0.0.1:PORT TaskQueue.Auth',
      'queue grpc-js 127.0.0.1:PORT taskqueue.QueueService/Report',
      'system Express http://127.0.0.1:PORT System.Stats',
      'render Express http://127.0.0.1:PORT Graphviz.Render',
    ]);
    const pids = started.map((m) => Number(m[5]));
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
  }, 60_000);
});
