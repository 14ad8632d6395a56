'use strict';
// Hot-path costs of @tracewell/core next to OpenTelemetry JS (sdk-trace-base 2.x), in one run,
// on the same inputs. Both sides use a span processor that discards, so this is the SDKs' cost.
const otelApi = require('@opentelemetry/api');
const { W3CTraceContextPropagator } = require('@opentelemetry/core');
const { CloudPropagator } = require('@google-cloud/opentelemetry-cloud-trace-propagator');
const { BasicTracerProvider, BatchSpanProcessor: OtelBatch, NoopSpanProcessor, AlwaysOffSampler, InMemorySpanExporter: OtelMemory, SimpleSpanProcessor: OtelSimple } = require('@opentelemetry/sdk-trace-base');
const tw = require('@tracewell/core');
const { measure } = require('./harness');

const discard = { onStart() {}, onEnd() {}, forceFlush: async () => {}, shutdown: async () => {} };
const ours = tw.createTracer({ sampler: 'always_on', spanProcessors: [discard] });
const oursOff = tw.createTracer({ spanProcessors: [discard], sampler: 'always_off' });
const otel = new BasicTracerProvider({ spanProcessors: [new NoopSpanProcessor()] }).getTracer('bench');
const otelOff = new BasicTracerProvider({ spanProcessors: [new NoopSpanProcessor()], sampler: new AlwaysOffSampler() }).getTracer('bench');

const HEADERS = {
  host: 'api.internal:8080',
  'user-agent': 'axios/1.7',
  accept: 'application/json',
  traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
  tracestate: 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE',
};
const CLOUD_HEADERS = { host: 'api.internal:8080', 'x-cloud-trace-context': '4bf92f3577b34da6a3ce929d0e0e4736/12345678901234567890;o=1' };
const w3cOnly = tw.createTracer({ sampler: 'always_on', spanProcessors: [discard], propagators: ['tracecontext'], upstreamSampledPerSecond: Infinity });
const cloudOnly = tw.createTracer({ sampler: 'always_on', spanProcessors: [discard], propagators: ['cloud-trace'] });
const otelW3c = new W3CTraceContextPropagator();
const otelCloud = new CloudPropagator();
const parentOurs = ours.startSpan('parent');
const parentOtel = otelApi.trace.setSpan(otelApi.ROOT_CONTEXT, otel.startSpan('parent'));

// Finished spans to feed the batch processors' onEnd.
const memory = new tw.InMemorySpanExporter();
tw.createTracer({ sampler: 'always_on', spanProcessors: [new tw.SimpleSpanProcessor(memory)] }).startSpan('x').end();
const otelMemory = new OtelMemory();
new BasicTracerProvider({ spanProcessors: [new OtelSimple(otelMemory)] }).getTracer('b').startSpan('x').end();
const accept = { export: async () => ({ code: 'success' }), shutdown: async () => {} };
const otelAccept = { export: (_spans, done) => done({ code: 0 }), shutdown: async () => {} };
const roomy = { maxQueueSize: 10_000_000, maxExportBatchSize: 10_000_000, scheduledDelayMillis: 1e9 };
const quietLogger = { warn() {} };

// A sink that keeps the floor's objects alive, so the allocation is not optimized away.
const sink = new Array(1024);
let slot = 0;

function scenarios() {
  // Created per run: queues filled by earlier rounds are not reused.
  const oursRoomy = new tw.BatchSpanProcessor(accept, { ...roomy, logger: quietLogger });
  const otelRoomy = new OtelBatch(otelAccept, { maxQueueSize: 10_000_000, maxExportBatchSize: 10_000_000, scheduledDelayMillis: 1e9 });
  const oursFull = new tw.BatchSpanProcessor(accept, { maxQueueSize: 1, maxExportBatchSize: 1, scheduledDelayMillis: 1e9, logger: quietLogger });
  const otelFull = new OtelBatch(otelAccept, { maxQueueSize: 1, maxExportBatchSize: 1, scheduledDelayMillis: 1e9 });
  const ourSpan = memory.getFinishedSpans()[0];
  const otelSpan = otelMemory.getFinishedSpans()[0];
  oursFull.onEnd(ourSpan);
  otelFull.onEnd(otelSpan);
  return {
    'floor: allocate a plain object shaped like a span': {
      tracewell: () => {
        sink[slot++ & 1023] = { name: 'GET /users/:id', kind: 1, traceId: 't', spanId: 's', parentSpanId: undefined, startTime: slot, endTime: slot + 1, attributes: { 'http.route': '/users/:id', 'http.response.status_code': 200, 'url.path': '/users/42' }, status: { code: 0 } };
      },
    },
    'span: start + 3 attributes + end (sampled)': {
      tracewell: () => ours.startSpan('GET /users/:id').setAttribute('http.route', '/users/:id').setAttribute('http.response.status_code', 200).setAttribute('url.path', '/users/42').end(),
      opentelemetry: () => otel.startSpan('GET /users/:id').setAttribute('http.route', '/users/:id').setAttribute('http.response.status_code', 200).setAttribute('url.path', '/users/42').end(),
    },
    'span: start + 3 attributes + end (not sampled)': {
      tracewell: () => oursOff.startSpan('GET /users/:id').setAttribute('http.route', '/users/:id').setAttribute('http.response.status_code', 200).setAttribute('url.path', '/users/42').end(),
      opentelemetry: () => otelOff.startSpan('GET /users/:id').setAttribute('http.route', '/users/:id').setAttribute('http.response.status_code', 200).setAttribute('url.path', '/users/42').end(),
    },
    'extract traceparent + tracestate': {
      tracewell: () => w3cOnly.extract(HEADERS),
      opentelemetry: () => otelW3c.extract(otelApi.ROOT_CONTEXT, HEADERS, otelApi.defaultTextMapGetter),
    },
    'inject traceparent': {
      tracewell: () => w3cOnly.inject(parentOurs, {}),
      opentelemetry: () => otelW3c.inject(parentOtel, {}, otelApi.defaultTextMapSetter),
    },
    'extract X-Cloud-Trace-Context': {
      tracewell: () => cloudOnly.extract(CLOUD_HEADERS),
      opentelemetry: () => otelCloud.extract(otelApi.ROOT_CONTEXT, CLOUD_HEADERS, otelApi.defaultTextMapGetter),
    },
    'inject X-Cloud-Trace-Context': {
      tracewell: () => cloudOnly.inject(parentOurs, {}),
      opentelemetry: () => otelCloud.inject(parentOtel, {}, otelApi.defaultTextMapSetter),
    },
    'round trip: extract + server span + client child + inject + end': {
      tracewell: () => {
        const server = w3cOnly.startSpan('GET /users/:id', { kind: tw.SpanKind.SERVER, parent: w3cOnly.extract(HEADERS) });
        const client = server.child('GET', { kind: tw.SpanKind.CLIENT });
        w3cOnly.inject(client, {});
        client.end();
        server.end();
      },
      opentelemetry: () => {
        const remote = otelW3c.extract(otelApi.ROOT_CONTEXT, HEADERS, otelApi.defaultTextMapGetter);
        const server = otel.startSpan('GET /users/:id', { kind: otelApi.SpanKind.SERVER }, remote);
        const client = otel.startSpan('GET', { kind: otelApi.SpanKind.CLIENT }, otelApi.trace.setSpan(remote, server));
        otelW3c.inject(otelApi.trace.setSpan(remote, client), {}, otelApi.defaultTextMapSetter);
        client.end();
        server.end();
      },
    },
    // Last: the roomy queues grow to millions of entries, which would slow the GC of later scenarios.
    'batch processor onEnd, queue has room': {
      tracewell: () => oursRoomy.onEnd(ourSpan),
      opentelemetry: () => otelRoomy.onEnd(otelSpan),
    },
    'batch processor onEnd, queue full (span dropped)': {
      tracewell: () => oursFull.onEnd(ourSpan),
      opentelemetry: () => otelFull.onEnd(otelSpan),
    },
  };
}

async function run() {
  const rows = [];
  for (const [scenario, cases] of Object.entries(scenarios())) {
    const result = measure(cases);
    const otelNs = result.opentelemetry;
    rows.push({
      scenario,
      'tracewell ns/op': Math.round(result.tracewell),
      'opentelemetry ns/op': otelNs === undefined ? null : Math.round(otelNs),
      'tracewell / opentelemetry': otelNs === undefined ? null : Number((result.tracewell / otelNs).toFixed(2)),
    });
  }
  const floor = rows[0]['tracewell ns/op'];
  for (const row of rows) row['tracewell / floor'] = Number((row['tracewell ns/op'] / floor).toFixed(1));
  return rows;
}

module.exports = { run };
