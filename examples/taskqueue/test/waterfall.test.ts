import { displayName, renderWaterfall, type WaterfallSpan } from '../src/waterfall';

const span = (spanId: string, parentSpanId: string | null, name: string, service: string, start: number, end: number, extra: Partial<WaterfallSpan> = {}): WaterfallSpan => ({
  spanId,
  parentSpanId,
  name,
  kind: 'SERVER',
  service,
  startTime: 1_700_000_000_000 + start,
  endTime: 1_700_000_000_000 + end,
  attributes: {},
  status: { code: 'UNSET' },
  ...extra,
});

describe('renderWaterfall', () => {
  it('nests by indentation, orders siblings by start and draws bars on the trace’s time scale', () => {
    const out = renderWaterfall([
      span('b', 'a', 'GET', 'front', 200, 400, { kind: 'CLIENT', attributes: { 'url.full': 'http://render:1/Graphviz.Render' } }),
      span('a', null, 'TaskQueue.Stats', 'front', 0, 400),
      span('c', 'b', 'Graphviz.Render', 'render', 210, 390, { status: { code: 'ERROR' } }),
      span('d', 'a', 'GET', 'front', 0, 100, { kind: 'CLIENT', attributes: { 'http.route': '/auth/:user' } }),
    ]);
    expect(out.split('\n')).toEqual([
      'TaskQueue.Stats [front]             400.0 ms |████████████████████████████████████████|',
      '  GET /auth/:user [front]           100.0 ms |██████████                              |',
      '  GET /Graphviz.Render [front]      200.0 ms |                    ████████████████████|',
      '    Graphviz.Render [render] ERROR  180.0 ms |                     ██████████████████ |',
    ]);
  });

  it('draws a span whose parent is not in the trace as a root, and says so when there is nothing', () => {
    expect(renderWaterfall([span('x', 'gone', 'orphan', 's', 0, 5)])).toMatch(/^orphan \[s\]\s+5\.0 ms \|█{40}\|$/);
    expect(renderWaterfall([])).toBe('(no spans)');
  });

  it('names client spans by method and path, and leaves other names alone', () => {
    expect(displayName({ name: 'GET', kind: 'CLIENT', attributes: { 'url.full': 'not a url' } })).toBe('GET');
    expect(displayName({ name: 'GET', kind: 'SERVER', attributes: { 'url.full': 'http://x/y' } })).toBe('GET');
    expect(displayName({ name: 'fetch rows', kind: 'CLIENT', attributes: { 'url.full': 'http://x/y' } })).toBe('fetch rows');
    // gRPC spans are named by their method on both sides.
    const grpc = { 'rpc.system': 'grpc', 'rpc.service': 'taskqueue.QueueService', 'rpc.method': 'Report' };
    expect(displayName({ name: 'taskqueue.QueueService/Report', kind: 'CLIENT', attributes: grpc })).toBe('taskqueue.QueueService/Report');
    expect(displayName({ name: 'taskqueue.QueueService/Report', kind: 'SERVER', attributes: grpc })).toBe('taskqueue.QueueService/Report');
  });
});
