// The viewer's search, latency, service map, comparison and analysis API, on traces made by two
// real traced services (Express + traced axios calling Koa), exported over OTLP.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startViewer, type CompareAnswer, type DependencyAnswer, type LatencyAnswer, type RunningViewer, type StoredSpan, type TraceDetailAnswer, type TraceListAnswer } from '../src';
import { SLOW_QUERY_MS, startShop, type ShopServices } from './support/shop-services';

jest.setTimeout(60_000);

let viewer: RunningViewer;
let shop: ShopServices;
/** Trace ids by item, in the order bought. */
const bought: Array<{ item: string; traceId: string }> = [];
const idOf = (item: string): string => bought.find((b) => b.item === item)!.traceId;

async function api<T>(path: string): Promise<{ status: number; body: T }> {
  const response = await fetch(`${viewer.url}${path}`);
  return { status: response.status, body: (await response.json()) as T };
}
const list = async (query: string): Promise<TraceListAnswer> => (await api<TraceListAnswer>(`/api/traces?${query}`)).body;
const ids = (answer: TraceListAnswer): string[] => answer.traces.map((t) => t.traceId).sort();
const us = (ms: number): number => Math.round(ms * 1000) / 1000;
const trace = async (traceId: string): Promise<TraceDetailAnswer> => (await api<TraceDetailAnswer>(`/api/traces/${traceId}`)).body;

beforeAll(async () => {
  viewer = await startViewer({ port: 0, log: () => undefined, links: [{ name: 'Jaeger', url: 'http://localhost:16686/trace/{traceId}' }] });
  shop = await startShop(viewer.url);
  for (const item of ['apple', 'pear', 'slow', 'broken', 'plum']) bought.push({ item, traceId: await shop.buy(item) });
});
afterAll(async () => {
  await shop?.close();
  await viewer?.close();
});

describe('GET /api/traces search', () => {
  it('holds the five traces, three spans each, newest first', async () => {
    const all = await list('');
    expect(all.total).toBe(5);
    expect(all.traces.map((t) => t.traceId)).toEqual(bought.map((b) => b.traceId).reverse());
    expect(all.traces.every((t) => t.spanCount === (t.traceId === idOf('slow') ? 4 : 3))).toBe(true);
  });

  it('by attribute key=value, several of them, all of which must hold', async () => {
    expect(ids(await list('attr=shop.item=slow'))).toEqual([idOf('slow')]);
    expect(ids(await list('attr=http.response.status_code=500'))).toEqual([idOf('broken')]);
    expect(ids(await list('attr=shop.item=slow&attr=db.system.name=postgresql'))).toEqual([idOf('slow')]);
    expect((await list('attr=shop.item=slow&attr=http.response.status_code=500')).total).toBe(0);
  });

  it('by service and operation (an exact span name in that service)', async () => {
    expect((await list('service=stock&operation=GET%20/items/:item')).total).toBe(5);
    expect((await list('service=shop&operation=GET%20/items/:item')).total).toBe(0);
    expect(ids(await list('operation=db.query'))).toEqual([idOf('slow')]);
  });

  it('by duration band: exactly the traces whose duration is inside it', async () => {
    const all = (await list('')).traces;
    const sorted = [...all].sort((a, b) => a.durationMs - b.durationMs);
    const [low, high] = [sorted[1]!.durationMs, sorted[3]!.durationMs];
    const inside = all.filter((t) => t.durationMs >= low && t.durationMs <= high).map((t) => t.traceId).sort();
    expect(inside.length).toBeGreaterThanOrEqual(3);
    expect(ids(await list(`minDurationMs=${low}&maxDurationMs=${high}`))).toEqual(inside);
    expect(ids(await list(`minDurationMs=${SLOW_QUERY_MS}`))).toEqual([idOf('slow')]);
  });

  it('by time range and lookback, and errors only', async () => {
    const all = (await list('')).traces;
    const first = all.find((t) => t.traceId === idOf('apple'))!;
    expect(ids(await list(`end=${first.startTime}`))).toEqual([idOf('apple')]);
    expect((await list(`start=${first.startTime + 0.001}`)).total).toBe(4);
    expect((await list('lookback=1h')).total).toBe(5);
    expect((await list(`lookback=1ms&end=${first.startTime - 10}`)).total).toBe(0);
    expect(ids(await list('errors=true'))).toEqual([idOf('broken')]);
  });

  it('pages: limit and offset, with the total, cover every trace exactly once', async () => {
    const pages = await Promise.all([0, 2, 4].map((offset) => list(`limit=2&offset=${offset}`)));
    expect(pages.map((p) => [p.total, p.offset, p.limit, p.traces.length])).toEqual([[5, 0, 2, 2], [5, 2, 2, 2], [5, 4, 2, 1]]);
    expect(pages.flatMap((p) => p.traces.map((t) => t.traceId))).toEqual(bought.map((b) => b.traceId).reverse());
    expect((await list('limit=100000')).limit).toBe(1000);
    expect((await list('limit=0')).limit).toBe(1);
  });

  it.each([
    ['a negative duration', 'minDurationMs=-1', /minDurationMs: expected milliseconds/],
    ['a duration that is not a number', 'maxDurationMs=fast', /maxDurationMs: expected milliseconds/],
    ['an attribute without =', 'attr=novalue', /attr: expected key=value/],
    ['an unknown lookback', 'lookback=forever', /lookback: expected a duration such as 15m/],
    ['a 2,000-character service', `service=${'x'.repeat(2000)}`, /service: at most 1024 characters/],
    ['17 attributes', Array.from({ length: 17 }, (_, i) => `attr=k${i}=v`).join('&'), /attr: at most 16/],
  ])('answers 400 naming the field for %s', async (_label, query, message) => {
    const { status, body } = await api<{ error: string }>(`/api/traces?${query}`);
    expect(status).toBe(400);
    expect(body.error).toMatch(message);
  });
});

describe('latency, service map and comparison', () => {
  it('p50/p90/p99 per operation, from the entry spans of the matching traces', async () => {
    const { body } = await api<LatencyAnswer>('/api/latency');
    const stock = body.operations.find((op) => op.service === 'stock' && op.name === 'GET /items/:item')!;
    const durations = (await Promise.all(bought.map((b) => trace(b.traceId)))).map((t) => t.spans.find((s) => s.service === 'stock' && s.kind === 'SERVER')!.durationMs).sort((a, b) => a - b);
    // Nearest rank over 5 values: p50 is the 3rd, p90 and p99 the 5th (to the microsecond).
    expect(stock).toEqual({ service: 'stock', name: 'GET /items/:item', count: 5, errors: 1, p50: us(durations[2]!), p90: us(durations[4]!), p99: us(durations[4]!) });
    expect(body.operations.find((op) => op.service === 'shop')).toMatchObject({ name: 'GET /buy/:item', count: 5 });
    expect(body.points.map((p) => p.traceId)).toEqual(bought.map((b) => b.traceId).reverse());
    expect(body.total).toBe(5);
    // The same search as the list.
    expect((await api<LatencyAnswer>('/api/latency?errors=true')).body.points.map((p) => p.traceId)).toEqual([idOf('broken')]);
  });

  it('the service map: one edge shop -> stock with its calls, errors and the caller\'s waits', async () => {
    const { body } = await api<DependencyAnswer>('/api/dependencies');
    const waits = (await Promise.all(bought.map((b) => trace(b.traceId)))).map((t) => t.spans.find((s) => s.service === 'shop' && s.kind === 'CLIENT')!.durationMs).sort((a, b) => a - b);
    expect(body).toEqual({ services: ['shop', 'stock'], edges: [{ caller: 'shop', callee: 'stock', calls: 5, errors: 1, p50: us(waits[2]!), p99: us(waits[4]!) }] });
  });

  it('compares two traces of the same operation: the extra query is added, the slow call slower', async () => {
    const { status, body } = await api<CompareAnswer>(`/api/compare?a=${idOf('apple')}&b=${idOf('slow')}`);
    expect(status).toBe(200);
    const change = Object.fromEntries(body.spans.map((s) => [s.path, s.change]));
    expect(change).toEqual({
      'shop: GET /buy/:item': 'slower',
      'shop: GET /buy/:item > shop: GET': 'slower',
      'shop: GET /buy/:item > shop: GET > stock: GET /items/:item': 'slower',
      'shop: GET /buy/:item > shop: GET > stock: GET /items/:item > stock: db.query': 'added',
    });
    const reverse = await api<CompareAnswer>(`/api/compare?a=${idOf('slow')}&b=${idOf('apple')}`);
    expect(reverse.body.spans.find((s) => s.path.endsWith('db.query'))).toMatchObject({ change: 'missing', bMs: null });
    expect((await api<{ error: string }>(`/api/compare?a=${idOf('apple')}&b=${'0'.repeat(31)}1`)).status).toBe(404);
    expect((await api<{ error: string }>(`/api/compare?a=nope&b=${idOf('apple')}`)).body.error).toMatch(/a: invalid trace id/);
  });
});

describe('why a trace was slow', () => {
  it('the slow trace: its critical path ends in the query, and the verdict names it', async () => {
    const detail = await trace(idOf('slow'));
    const byName = new Map(detail.spans.map((s: StoredSpan) => [s.name, s]));
    const root = byName.get('GET /buy/:item')!;
    const query = byName.get('db.query')!;
    expect(detail.analysis.rootSpanId).toBe(root.spanId);
    const covered = detail.analysis.criticalPath.reduce((sum, s) => sum + (s.end - s.start), 0);
    expect(covered).toBeCloseTo(root.durationMs, 6);
    // The timings are by position in the spans as paged (by start time), rounded to the microsecond.
    const at = detail.spans.indexOf(query);
    expect(detail.analysis.timings.criticalMs[at]).toBeCloseTo(query.durationMs, 2);
    expect(detail.analysis.timings.selfMs[at]).toBeCloseTo(query.durationMs, 2);
    expect(detail.analysis.verdict).toMatch(/^db\.query \[stock\] is \d+% of the critical path \(/);
    expect(detail.analysis.contributors[0]).toMatchObject({ name: 'db.query', service: 'stock' });
  });

  it('a span that arrives later is in the next analysis, page and search (what was kept for them is dropped)', async () => {
    const before = await trace(idOf('pear'));
    expect((await list('operation=late')).total).toBe(0);
    const root = before.spans.find((s) => s.parentSpanId === null)!;
    viewer.store.add([{ ...root, spanId: 'ab'.repeat(8), parentSpanId: root.spanId, name: 'late', startTime: root.startTime + 0.001, endTime: root.startTime + 0.001 }]);
    const after = await trace(idOf('pear'));
    expect(after.spans.map((s) => s.spanId)).toEqual([before.spans[0]!.spanId, 'ab'.repeat(8), ...before.spans.slice(1).map((s) => s.spanId)]);
    expect(after.analysis.timings.selfMs).toHaveLength(before.spans.length + 1);
    // The late span has no duration and sits second by start time.
    expect(after.analysis.timings.selfMs[1]).toBe(0);
    expect(after.analysis.timings.selfMs[0]).toBe(before.analysis.timings.selfMs[0]);
    expect(ids(await list('operation=late'))).toEqual([idOf('pear')]);
  });

  it('the CLI prints the same verdict for a trace id, and says clearly when the trace is unknown', async () => {
    const run = promisify(execFile);
    const cli = join(__dirname, '..', 'dist', 'cli.js');
    const { stdout } = await run(process.execPath, [cli, 'analyze', idOf('slow'), '--url', viewer.url]);
    expect(stdout).toMatch(/^Trace [0-9a-f]{32}: 4 spans$/m);
    expect(stdout).toMatch(/^Why it was slow: db\.query \[stock\] is \d+% of the critical path/m);
    expect(stdout).toMatch(/^ +\d+% +[\d.]+ m?s +stock +db\.query$/m);
    const missing = await run(process.execPath, [cli, 'analyze', '0'.repeat(31) + '1', '--url', viewer.url]).catch((error: { code: number; stderr: string }) => error);
    expect(missing).toMatchObject({ code: 1, stderr: expect.stringMatching(/has no trace 0{31}1/) });
  });
});

describe('links out', () => {
  it('GET /api/config gives the UI the link templates', async () => {
    expect((await api('/api/config')).body).toEqual({ links: [{ name: 'Jaeger', url: 'http://localhost:16686/trace/{traceId}', parts: ['http://localhost:16686/trace/', 'traceId', ''], perSpan: false }] });
  });

  it.each([
    [[{ name: 'x', url: 'javascript:alert(1)' }], /"?links\[0\]\.url"?: expected an http: or https: URL template/],
    [[{ name: 'x', url: 'http://{service}.example/' }], /links\[0\]\.url: expected an http: or https: URL template with a fixed host/],
    [[{ name: 'x', url: 'http://logs.example/?q={password}' }], /links\[0\]\.url: unknown placeholder \{password\}/],
    [[{ name: '', url: 'http://logs.example/' }], /links\[0\]\.name: expected a label/],
  ])('rejects links %j at start', async (links, message) => {
    await expect(startViewer({ port: 0, links })).rejects.toThrow(message);
  });
});
