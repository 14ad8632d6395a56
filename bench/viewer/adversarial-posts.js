'use strict';
// `node bench/viewer/adversarial-posts.js [--quick]`: the viewer's memory under 1,000 hostile
// posts (200 with --quick) that each try a different way to make it store more than it was
// sent: kvlists nested 40 deep around strings JSON escapes, arrays nested 50,000 deep, spans
// past maxSpanBytes (1 MiB), 4,000 spans of one trace, malformed bodies. RSS is measured in the viewer's own
// process, after a full GC, with the default limits (maxStoreBytes 128 MiB, maxSpans 100,000).
const { fork } = require('node:child_process');
const path = require('node:path');
const { runIfMain } = require('../harness');

const MIB = 1024 * 1024;
const mib = (n) => Math.round((n / MIB) * 10) / 10;

function otlp(traceId, spans) {
  return JSON.stringify({
    resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'hostile' } }] }, scopeSpans: [{ spans: spans.map((s, i) => ({ traceId, spanId: (i + 1).toString(16).padStart(16, '0'), name: 'h', startTimeUnixNano: '1', endTimeUnixNano: '2', attributes: s })) }] }],
  });
}

function nestedKvlist(levels) {
  let json = '{"stringValue":"\\"\\\\\\"\\\\"}';
  for (let i = 0; i < levels; i++) json = `{"kvlistValue":{"values":[{"key":"k","value":${json}}]}}`;
  return json;
}

/** The i-th post: [kind, body]. Trace ids are unique, so the store fills and must evict. */
function post(i) {
  const traceId = (i + 1).toString(16).padStart(32, '0');
  switch (i % 5) {
    case 0: {
      const value = JSON.parse(nestedKvlist(40));
      return ['kvlist nested 40 deep x 200', otlp(traceId, [Array.from({ length: 200 }, (_, k) => ({ key: `a${k}`, value }))])];
    }
    case 1: {
      const deep = '{"arrayValue":{"values":['.repeat(50_000) + '{"stringValue":"x"}' + ']}}'.repeat(50_000);
      return ['array nested 50,000 deep', `{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"${traceId}","spanId":"0000000000000001","startTimeUnixNano":"1","endTimeUnixNano":"2","attributes":[{"key":"d","value":${deep}}]}]}]}]}`];
    }
    case 2: {
      // 4 spans, each 40 values of 32 KiB (plus one of 1 MiB): each span fills maxSpanBytes.
      const attributes = Array.from({ length: 40 }, (_, k) => ({ key: `s${k}`, value: { stringValue: `${k}`.padEnd(32 * 1024, '"') } }));
      attributes.push({ key: 'huge', value: { stringValue: 'x'.repeat(MIB) } });
      return ['spans of 1 MiB', otlp(traceId, Array.from({ length: 4 }, () => attributes))];
    }
    case 3:
      return ['4,000 spans of one trace', otlp(traceId, Array.from({ length: 4000 }, (_, k) => [{ key: 'k', value: { stringValue: `v${k}`.repeat(20) } }]))];
    default:
      return ['malformed', `{"resourceSpans":[{"scopeSpans":[null]}],"x":"${'y'.repeat(100_000)}"}`];
  }
}

async function run({ quick }) {
  const posts = quick ? 200 : 1000;
  const child = fork(path.join(__dirname, 'viewer-process.js'), [], { execArgv: ['--expose-gc'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const next = () => new Promise((resolve) => child.once('message', resolve));
  const { url } = await next();
  const memory = async () => {
    child.send('memory');
    return next();
  };
  const start = await memory();
  const statuses = new Map();
  let sent = 0;
  const started = Date.now();
  const rows = [];
  const checkpoint = async (done) => {
    const now = await memory();
    const stats = now.stats;
    rows.push({
      posts: done,
      'sent (MiB)': mib(sent),
      seconds: Math.round((Date.now() - started) / 100) / 10,
      'RSS at start (MiB)': mib(start.rss),
      'RSS peak so far (MiB)': mib(now.peakRss),
      'RSS (MiB)': mib(now.rss),
      'heap (MiB)': mib(now.heapUsed),
      'store (MiB, approx.)': mib(stats.store.bytes),
      'spans held': stats.store.spans,
      'traces evicted': stats.store.evictedTraces,
      'values too deep': stats.limits.valuesTooDeep,
      'values cut': stats.limits.valuesTruncated,
      'attributes dropped': stats.limits.attributesDropped,
      'answered 400': stats.refused.badRequest,
    });
  };
  for (let i = 0; i < posts; i++) {
    const [kind, body] = post(i);
    sent += Buffer.byteLength(body);
    const res = await fetch(`${url}/v1/traces`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    await res.arrayBuffer();
    const key = `${kind}: ${res.status}`;
    statuses.set(key, (statuses.get(key) ?? 0) + 1);
    if ((i + 1) % (posts / 4) === 0) await checkpoint(i + 1);
  }
  child.send('stop');
  rows[rows.length - 1].answers = [...statuses].map(([k, n]) => `${k} x${n}`).join('; ');
  return rows;
}

module.exports = { run };
runIfMain(module, run);
