import { mkdtempSync, statSync, truncateSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { startViewer, type RunningViewer, type StoredSpan } from '../src';
import { otlpJson, type AnyValue } from './support/otlp-bodies';

function tempFile(): string {
  return join(mkdtempSync(join(tmpdir(), 'tracewell-data-')), 'spans.jsonl');
}

function span(traceId: string, spanId: string, extra: Partial<StoredSpan> = {}): StoredSpan {
  return { traceId, spanId, parentSpanId: null, name: 'n', kind: 'SERVER', service: 's', startTime: 1, endTime: 2, durationMs: 1, attributes: {}, events: [], status: { code: 'UNSET' }, ...extra };
}

async function postJson(viewer: RunningViewer, body: string): Promise<number> {
  const res = await fetch(`${viewer.url}/v1/traces`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
  await res.arrayBuffer();
  return res.status;
}

/** Waits until the viewer's writes to its file have settled (appends are asynchronous). */
async function settled(file: string): Promise<void> {
  let last = -1;
  for (;;) {
    await new Promise((r) => setTimeout(r, 20));
    const size = statSync(file).size;
    if (size === last) return;
    last = size;
  }
}

describe('--data FILE', () => {
  const open: RunningViewer[] = [];
  const start = async (options: Parameters<typeof startViewer>[0]): Promise<RunningViewer> => {
    const viewer = await startViewer({ port: 0, log: () => undefined, ...options });
    open.push(viewer);
    return viewer;
  };
  afterEach(async () => {
    await Promise.all(open.splice(0).map((v) => v.close()));
  });

  it('stays within maxDataFileBytes by rewriting itself with the newest traces', async () => {
    const file = tempFile();
    const limits = { maxSpanBytes: 8192, maxStoreBytes: 64 * 1024 };
    const viewer = await start({ dataFile: file, limits, maxDataFileBytes: 48 * 1024 });
    const ids: string[] = [];
    for (let t = 0; t < 40; t++) {
      const traceId = (t + 1).toString(16).padStart(32, '0');
      ids.push(traceId);
      expect(await postJson(viewer, otlpJson('f', [{ traceId, spanId: '1'.repeat(16), name: `t${t}`, attributes: [['p', { s: 'x'.repeat(3000) }]] }]))).toBe(200);
      await settled(file);
      expect(statSync(file).size).toBeLessThanOrEqual(48 * 1024);
    }
    await viewer.close();
    const again = await start({ dataFile: file, limits, maxDataFileBytes: 48 * 1024 });
    expect(again.store.trace(ids[39]!)).toHaveLength(1);
    expect(again.store.trace(ids[0]!)).toBeUndefined();
    expect(again.stats().dataFileSkipped).toBe(0);
  });

  it('starts on a file with torn, foreign, hostile and over-long lines, loading every valid one', async () => {
    const file = tempFile();
    const good1 = span('1'.repeat(32), '1'.repeat(16));
    const good2 = span('2'.repeat(32), '2'.repeat(16), { attributes: { __proto__: 'plain data' } as unknown as StoredSpan['attributes'] });
    const lines = [
      JSON.stringify(good1),
      JSON.stringify(good1).slice(0, 40), // cut short by a crash
      'not json',
      '{"traceId": 5}',
      JSON.stringify({ ...good1, spanId: '3'.repeat(16), attributes: { a: {} } }), // not a stored value
      JSON.stringify({ ...good1, spanId: '4'.repeat(16), events: null }),
      `{"traceId":"${'5'.repeat(32)}","x":"${'y'.repeat(200_000)}"}`, // longer than 8 x maxSpanBytes
      `{"traceId":"${'6'.repeat(32)}","spanId":"${'6'.repeat(16)}","attributes":{"deep":${'['.repeat(100_000)}${']'.repeat(100_000)}}}`,
      JSON.stringify(good2).replace('"attributes":{}', '"attributes":{"__proto__":"plain data"}'),
    ];
    writeFileSync(file, `${lines.join('\n')}\n`);
    const viewer = await start({ dataFile: file, limits: { maxSpanBytes: 16 * 1024 } });
    expect(viewer.store.size).toBe(2);
    expect(viewer.stats().dataFileSkipped).toBe(7);
    expect(Object.getPrototypeOf(viewer.store.trace('2'.repeat(32))![0]!.attributes)).toBe(Object.prototype);
  });

  it('starts on a file bigger than the largest string V8 can hold, read a line at a time', async () => {
    // A sparse 540 MiB file of zero bytes: reading it as one string (as before) threw
    // ERR_STRING_TOO_LONG and the viewer could not start. It is one over-long line, skipped;
    // being over the file bound, it is then rewritten (empty).
    const file = tempFile();
    writeFileSync(file, `${JSON.stringify(span('7'.repeat(32), '7'.repeat(16)))}\n`);
    truncateSync(file, 540 * 1024 * 1024);
    const viewer = await start({ dataFile: file });
    expect(viewer.store.size).toBe(1);
    expect(viewer.stats().dataFileSkipped).toBe(1);
    await settled(file);
    expect(statSync(file).size).toBeLessThan(4096);
  }, 60_000);

  // Whatever was posted, and wherever a crash cut the file, the next start succeeds and loads
  // every complete line that was written.
  it('property: a viewer restarted on a file it wrote, cut anywhere, always starts', async () => {
    const file = tempFile();
    const writer = await start({ dataFile: file, limits: { maxValueDepth: 3, maxValueLength: 200 } });
    const text = fc.string({ unit: fc.constantFrom('"', '\\', '\n', '\u2028', '\ud800', 'é', 'a'), maxLength: 300 });
    const value: fc.Arbitrary<AnyValue> = fc.letrec<{ v: AnyValue }>((tie) => ({
      v: fc.oneof({ depthSize: 'small' }, text.map((s) => ({ s })), fc.double().map((d) => ({ d })), fc.array(tie('v'), { maxLength: 3 }).map((arr) => ({ arr })), fc.array(fc.tuple(text, tie('v')), { maxLength: 3 }).map((kv) => ({ kv }))),
    })).v;
    const posted = await fc.sample(fc.array(fc.tuple(text, value), { maxLength: 6 }), { numRuns: 60, seed: 42 });
    for (const [i, attributes] of posted.entries()) {
      expect(await postJson(writer, otlpJson(`svc${i}`, [{ traceId: (i + 1).toString(16).padStart(32, '0'), spanId: '1'.repeat(16), name: `s${i}`, attributes }]))).toBe(200);
    }
    await settled(file);
    await writer.close();
    const whole = readFileSync(file);
    await fc.assert(
      fc.asyncProperty(fc.nat(whole.length), async (cut) => {
        writeFileSync(file, whole.subarray(0, cut));
        // Every complete line, and the last one if the cut fell right at its end.
        const complete = whole.subarray(0, cut).toString('utf8').split('\n').filter((line) => {
          try {
            JSON.parse(line);
            return true;
          } catch {
            return false;
          }
        }).length;
        const viewer = await startViewer({ port: 0, dataFile: file, log: () => undefined, limits: { maxValueDepth: 3, maxValueLength: 200 } });
        const loaded = viewer.store.size;
        await viewer.close();
        return loaded === complete;
      }),
      { numRuns: 40 },
    );
  });
});
