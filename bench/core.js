'use strict';
// Hot-path costs of @tracewell/core next to OpenTelemetry JS (sdk-trace-base 2.x), in one run.
const otelApi = require('@opentelemetry/api');
const { W3CTraceContextPropagator } = require('@opentelemetry/core');
const { BasicTracerProvider, NoopSpanProcessor, AlwaysOffSampler } = require('@opentelemetry/sdk-trace-base');
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
const w3cOnly = tw.createTracer({ sampler: 'always_on', spanProcessors: [discard], propagators: ['tracecontext'] });
const otelW3c = new W3CTraceContextPropagator();
const parentOurs = ours.startSpan('parent');
const parentOtel = otelApi.trace.setSpan(otelApi.ROOT_CONTEXT, otel.startSpan('parent'));

const scenarios = {
  'span: start + 3 attributes + end (sampled)': {
    tracewell: () => ours.startSpan('GET /users/:id').setAttribute('http.route', '/users/:id').setAttribute('http.response.status_code', 200).setAttribute('url.path', '/users/42').end(),
    opentelemetry: () => otel.startSpan('GET /users/:id').setAttribute('http.route', '/users/:id').setAttribute('http.response.status_code', 200).setAttribute('url.path', '/users/42').end(),
  },
  'span: start + end (not sampled)': {
    tracewell: () => oursOff.startSpan('GET /users/:id').end(),
    opentelemetry: () => otelOff.startSpan('GET /users/:id').end(),
  },
  'extract traceparent + tracestate': {
    tracewell: () => w3cOnly.extract(HEADERS),
    opentelemetry: () => otelW3c.extract(otelApi.ROOT_CONTEXT, HEADERS, otelApi.defaultTextMapGetter),
  },
  'inject traceparent': {
    tracewell: () => w3cOnly.inject(parentOurs, {}),
    opentelemetry: () => otelW3c.inject(parentOtel, {}, otelApi.defaultTextMapSetter),
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
  'extract, all four formats tried (b3multi present)': {
    tracewell: () => ours.extract({ 'x-b3-traceid': '4bf92f3577b34da6a3ce929d0e0e4736', 'x-b3-spanid': '00f067aa0ba902b7', 'x-b3-sampled': '1' }),
  },
};

function run() {
  const rows = [];
  for (const [scenario, cases] of Object.entries(scenarios)) {
    const result = measure(cases);
    const otelNs = result.opentelemetry;
    rows.push({
      scenario,
      'tracewell ns/op': result.tracewell.toFixed(0),
      'opentelemetry ns/op': otelNs === undefined ? '-' : otelNs.toFixed(0),
      'tracewell / opentelemetry': otelNs === undefined ? '-' : (result.tracewell / otelNs).toFixed(2),
    });
  }
  return rows;
}

module.exports = { run };
