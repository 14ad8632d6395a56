import fc from 'fast-check';
import { startViewer, type RunningViewer } from '../src';
import { otlpJson } from './support/otlp-bodies';

const T = 'a'.repeat(32);
const S = '1'.repeat(16);
const span = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({ traceId: T, spanId: S, startTimeUnixNano: '1', endTimeUnixNano: '2', ...extra });
const otlp = (spans: unknown[]): unknown => ({ resourceSpans: [{ scopeSpans: [{ spans }] }] });
const zipkin = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({ traceId: T, id: S, name: 'z', timestamp: 1, duration: 1, ...extra });

async function post(viewer: RunningViewer, path: string, body: string): Promise<{ status: number; error?: string }> {
  const res = await fetch(`${viewer.url}${path}`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
  const text = await res.text();
  return { status: res.status, error: res.status === 400 ? (JSON.parse(text) as { error: string }).error : undefined };
}

describe('malformed but parseable bodies', () => {
  let viewer: RunningViewer;
  beforeEach(async () => {
    viewer = await startViewer({ port: 0, log: () => undefined });
  });
  afterEach(() => viewer.close());

  // Each of these threw a TypeError inside the receiver before (a 500); a valid span first in
  // the same request shows that nothing of a refused request is stored.
  it.each<[string, unknown, RegExp]>([
    ['body null', null, /OTLP\/JSON body: expected an object/],
    ['body a string', 'x', /OTLP\/JSON body: expected an object/],
    ['resourceSpans a string', { resourceSpans: 'x' }, /resourceSpans: expected an array/],
    ['a null resourceSpans entry', { resourceSpans: [null] }, /resourceSpans\[0\]: expected an object/],
    ['resource a string', { resourceSpans: [{ resource: 'x' }] }, /resourceSpans\[0\].resource: expected an object/],
    ['a null scopeSpans entry', { resourceSpans: [{ scopeSpans: [null] }] }, /scopeSpans\[0\]: expected an object/],
    ['spans a string', { resourceSpans: [{ scopeSpans: [{ spans: 'x' }] }] }, /spans: expected an array/],
    ['a null span', otlp([span(), null]), /spans\[1\]: expected an object/],
    ['attributes a string', otlp([span(), span({ attributes: 'x' })]), /attributes: expected an array/],
    ['a null attribute', otlp([span(), span({ attributes: [null] })]), /attributes\[0\]: expected an object/],
    ['an attribute value that is a string', otlp([span(), span({ attributes: [{ key: 'k', value: 'v' }] })]), /attributes\[0\].value: expected an object/],
    ['arrayValue a string', otlp([span(), span({ attributes: [{ key: 'k', value: { arrayValue: 'x' } }] })]), /arrayValue: expected an object/],
    ['arrayValue.values a string', otlp([span(), span({ attributes: [{ key: 'k', value: { arrayValue: { values: 'x' } } }] })]), /arrayValue.values: expected an array/],
    ['a null kvlist entry', otlp([span(), span({ attributes: [{ key: 'k', value: { kvlistValue: { values: [null] } } }] })]), /kvlistValue.values\[0\]: expected an object/],
    ['intValue an object', otlp([span(), span({ attributes: [{ key: 'k', value: { intValue: {} } }] })]), /intValue: expected a number or a string/],
    ['a null event', otlp([span(), span({ events: [null] })]), /events\[0\]: expected an object/],
    ['events an object', otlp([span(), span({ events: {} })]), /events: expected an array/],
    ['status a string', otlp([span(), span({ status: 'x' })]), /status: expected an object/],
    ['a numeric name', otlp([span(), span({ name: 5 })]), /name: expected a string/],
  ])('OTLP/JSON with %s: 400 with a message, nothing stored', async (_name, body, message) => {
    const res = await post(viewer, '/v1/traces', JSON.stringify(body));
    expect(res.status).toBe(400);
    expect(res.error).toMatch(message);
    expect(viewer.store.size).toBe(0);
  });

  it.each<[string, unknown, RegExp]>([
    ['a null span', [zipkin(), null], /spans\[1\]: expected an object/],
    ['annotations a string', [zipkin(), zipkin({ annotations: 'x' })], /annotations: expected an array/],
    ['a null annotation', [zipkin(), zipkin({ annotations: [null] })], /annotations\[0\]: expected an object/],
    ['an annotation value that is a number', [zipkin(), zipkin({ annotations: [{ timestamp: 1, value: 5 }] })], /annotations\[0\].value: expected a string/],
    ['tags a string', [zipkin(), zipkin({ tags: 'x' })], /tags: expected an object/],
    ['a tag that is an object', [zipkin(), zipkin({ tags: { a: {} } })], /tags: expected a string/],
    ['localEndpoint a string', [zipkin(), zipkin({ localEndpoint: 'x' })], /localEndpoint: expected an object/],
    ['timestamp a string', [zipkin(), zipkin({ timestamp: '1' })], /timestamp: expected a number of microseconds/],
    ['parentId a number', [zipkin(), zipkin({ parentId: 7 })], /parentId: expected a string/],
  ])('Zipkin with %s: 400 with a message, nothing stored', async (_name, body, message) => {
    const res = await post(viewer, '/api/v2/spans', JSON.stringify(body));
    expect(res.status).toBe(400);
    expect(res.error).toMatch(message);
    expect(viewer.store.size).toBe(0);
  });

  it('a Zipkin tag nested 100,000 arrays deep is refused, not turned into text recursively', async () => {
    const body = `[{"traceId":"${T}","id":"${S}","tags":{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}}]`;
    const res = await post(viewer, '/api/v2/spans', body);
    expect(res.status).toBe(400);
    expect(res.error).toMatch(/tags: expected a string/);
  });

  it('takes null as "not set", as proto3 JSON does', async () => {
    const body = { resourceSpans: [{ resource: null, scopeSpans: [{ spans: [span({ attributes: null, events: null, status: null, name: null, parentSpanId: null })] }] }] };
    expect((await post(viewer, '/v1/traces', JSON.stringify(body))).status).toBe(200);
    expect(viewer.store.trace(T)).toMatchObject([{ name: '', service: 'unknown_service', parentSpanId: null, attributes: {}, events: [] }]);
  });

  it('a zipkin annotation that looks like `name: {json}` with a huge value is parsed in linear time', async () => {
    const value = `${': {'.repeat(200_000)}x`; // no closing brace: a backtracking pattern would take minutes
    expect((await post(viewer, '/api/v2/spans', JSON.stringify([zipkin({ annotations: [{ timestamp: 1, value }] })]))).status).toBe(202);
    expect(viewer.store.trace(T)![0]!.events[0]!.name.length).toBeLessThanOrEqual(32 * 1024);
  });

  // Replace any one node of a valid body with any JSON value: the answer is 200 or 400, never
  // 500, and a 400 leaves the store as it was.
  it('property: a valid body with any node replaced gets 200 or 400, and a 400 stores nothing', async () => {
    const otlpBody = JSON.parse(
      otlpJson('svc', [
        { traceId: T, spanId: S, name: 'root', attributes: [['k', { kv: [['x', { arr: [{ s: 'a' }, { i: 1 }] }]] }]], events: [{ name: 'e', attributes: [['b', { b: true }]] }] },
        { traceId: T, spanId: '2'.repeat(16), parentSpanId: S, name: 'child', attributes: [['d', { d: 1.5 }]] },
      ]),
    ) as unknown;
    const zipkinBody: unknown = [zipkin({ tags: { a: 'b' }, annotations: [{ timestamp: 2, value: 'ev: {"n":1}' }], localEndpoint: { serviceName: 's' } })];
    const paths = (root: unknown): Array<Array<string | number>> => {
      const out: Array<Array<string | number>> = [];
      const walk = (node: unknown, path: Array<string | number>): void => {
        out.push(path);
        if (node !== null && typeof node === 'object') for (const [k, v] of Object.entries(node)) walk(v, [...path, Array.isArray(node) ? Number(k) : k]);
      };
      walk(root, []);
      return out;
    };
    const replace = (root: unknown, path: Array<string | number>, value: unknown): unknown => {
      if (path.length === 0) return value;
      const copy = structuredClone(root) as Record<string | number, unknown>;
      let node = copy;
      for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
      node[path[path.length - 1]!] = value;
      return copy;
    };
    const targets: Array<[string, unknown]> = [['/v1/traces', otlpBody], ['/api/v2/spans', zipkinBody]];
    await fc.assert(
      fc.asyncProperty(fc.nat(1), fc.nat(), fc.jsonValue({ maxDepth: 3 }), async (which, at, value) => {
        const [path, body] = targets[which]!;
        const all = paths(body);
        const before = viewer.store.size;
        const res = await post(viewer, path, JSON.stringify(replace(body, all[at % all.length]!, value)));
        if (res.status === 400) return viewer.store.size === before && typeof res.error === 'string';
        return res.status === 200 || res.status === 202;
      }),
      { numRuns: 300 },
    );
  });
});
