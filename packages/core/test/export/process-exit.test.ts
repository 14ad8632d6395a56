import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createTracer, shutdownOnSignal } from '../../src';
import { TestCollector } from '../support/collector';

const SCRIPT = join(__dirname, '../fixtures/traced-script.js');

function run(url: string, mode: string, count: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number; stdout: string }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SCRIPT, url, mode, String(count)], { cwd: join(__dirname, '..'), stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, ms: Date.now() - started, stdout });
    });
  });
}

describe('process lifecycle', () => {
  let collector: TestCollector;
  let url: string;
  beforeEach(async () => {
    collector = new TestCollector();
    url = await collector.start();
  });
  afterEach(() => collector.stop());

  it('a script that creates spans and returns exits at once: no timer holds it', async () => {
    const result = await run(url, 'return', 10);
    expect(result.code).toBe(0);
    // The batch timer is set to 30 s; an exit this early means it was unref'd (typically ~0.2 s).
    expect(result.ms).toBeLessThan(5000);
  });

  it('a script that calls shutdown() delivers every span before it exits', async () => {
    const result = await run(url, 'shutdown', 1500);
    expect(result.code).toBe(0);
    expect(collector.accepted).toHaveLength(1500);
    expect(new Set(collector.accepted).size).toBe(1500);
    expect(JSON.parse(result.stdout)).toMatchObject({ spansExported: 1500, queued: 0 });
  });

  it('shutdownOnSignal flushes on SIGTERM, then lets the signal end the process', async () => {
    const result = await run(url, 'signal', 20);
    expect(result.signal).toBe('SIGTERM');
    expect(collector.accepted).toHaveLength(20);
  });

  it.each([
    [{ timeoutMillis: -1 }, /"shutdownOnSignal.timeoutMillis": expected a non-negative number/],
    [{ timeoutMillis: Infinity }, /"shutdownOnSignal.timeoutMillis"/],
    [{ signals: 'SIGTERM' }, /"shutdownOnSignal.signals": expected an array of signal names/],
    [{ signals: ['TERM'] }, /"shutdownOnSignal.signals"/],
  ])('shutdownOnSignal rejects %p and installs nothing', (options, message) => {
    const before = process.listenerCount('SIGTERM');
    expect(() => shutdownOnSignal(createTracer(), options as never)).toThrow(message);
    expect(process.listenerCount('SIGTERM')).toBe(before);
  });
});
