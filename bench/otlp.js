'use strict';
// OTLP encoding speed: a batch of 512 spans encoded by @tracewell/otlp and by OpenTelemetry's
// own serializers (the ones its OTLP exporters use), in protobuf and JSON, in one run.
const { JsonTraceSerializer, ProtobufTraceSerializer } = require('@opentelemetry/otlp-transformer');
const { BasicTracerProvider, InMemorySpanExporter: OtelMemory, SimpleSpanProcessor: OtelSimple } = require('@opentelemetry/sdk-trace-base');
const otelApi = require('@opentelemetry/api');
const tw = require('@tracewell/core');
const { toOtlpJson, toOtlpProtobuf } = require('@tracewell/otlp');
const { measure } = require('./harness');

const BATCH = 512;
const SCOPE = { name: 'bench', version: '1.0.0' };

function makeSpans(startSpan) {
  for (let i = 0; i < BATCH; i++) {
    const span = startSpan(`GET /users/:id`, i);
    span.setAttribute('http.request.method', 'GET');
    span.setAttribute('url.path', `/users/${i}`);
    span.setAttribute('http.route', '/users/:id');
    span.setAttribute('http.response.status_code', 200);
    span.setAttribute('server.port', 8080);
    span.addEvent('cache miss', { 'cache.key': `user:${i}` });
    span.end();
  }
}

const ours = new tw.InMemorySpanExporter();
const tracer = tw.createTracer({ serviceName: 'bench', sampler: 'always_on', spanProcessors: [new tw.SimpleSpanProcessor(ours)] });
makeSpans((name) => tracer.startSpan(name, { kind: tw.SpanKind.SERVER }));

const theirs = new OtelMemory();
const otelTracer = new BasicTracerProvider({ spanProcessors: [new OtelSimple(theirs)] }).getTracer(SCOPE.name, SCOPE.version);
makeSpans((name) => otelTracer.startSpan(name, { kind: otelApi.SpanKind.SERVER }));

function run() {
  // Let the in-memory exports (promises) settle first.
  return new Promise((resolve) => setImmediate(resolve)).then(() => {
    const a = ours.getFinishedSpans();
    const b = theirs.getFinishedSpans();
    if (a.length !== BATCH || b.length !== BATCH) throw new Error('span setup failed');
    const rows = [];
    for (const [encoding, mine, otel] of [
      ['protobuf', () => toOtlpProtobuf(a, SCOPE), () => ProtobufTraceSerializer.serializeRequest(b)],
      ['json', () => JSON.stringify(toOtlpJson(a, SCOPE)), () => JsonTraceSerializer.serializeRequest(b)],
    ]) {
      const result = measure({ tracewell: mine, opentelemetry: otel });
      rows.push({
        scenario: `encode ${BATCH} spans, ${encoding}`,
        'tracewell ns/span': Math.round(result.tracewell / BATCH),
        'opentelemetry ns/span': Math.round(result.opentelemetry / BATCH),
        'tracewell spans/s': Math.round((BATCH * 1e9) / result.tracewell),
        'opentelemetry spans/s': Math.round((BATCH * 1e9) / result.opentelemetry),
        'tracewell / opentelemetry': Number((result.tracewell / result.opentelemetry).toFixed(2)),
      });
    }
    return rows;
  });
}

module.exports = { run };
