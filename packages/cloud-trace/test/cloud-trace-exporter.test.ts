import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { ClientRequest, Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Router from '@koa/router';
import { traceAxios } from '@tracewell/axios';
import { createTracer, tracerOptionsFromEnv, type Logger, type Tracer } from '@tracewell/core';
import { traceMiddleware as expressTracing } from '@tracewell/express';
import { traceMiddleware as koaTracing } from '@tracewell/koa';
import axios from 'axios';
import express from 'express';
import { OAuth2Client } from 'google-auth-library';
import Koa from 'koa';
import { AGENT, CloudTraceExporter, type CloudTraceExporterOptions } from '../src';
import { FakeGoogle } from './support/fake-google';
import { googleEnv } from './support/google-env';

const quiet: Logger = { warn: () => undefined };

// Every tracer a test makes is shut down before its environment is restored: an export still
// scheduled afterwards would run with the machine's own variables and ask the real metadata
// server (it did, 5 s later, inside whichever test file the worker ran next).
const tracers: Tracer[] = [];
function tracked(t: Tracer): Tracer {
  tracers.push(t);
  return t;
}

function tracer(serviceName: string, options: CloudTraceExporterOptions, logger = quiet): Tracer {
  return tracked(
    createTracer({
      serviceName,
      sampler: 'always_on',
      logger,
      exporter: new CloudTraceExporter({ logger, ...options }),
      batch: { scheduledDelayMillis: 10, initialBackoffMillis: 20, maxBackoffMillis: 50 },
    }),
  );
}

// Cloud Trace tests talk to local servers only: any request to another host fails the file.
const elsewhere: string[] = [];
function recordRemote(origin: string): void {
  if (!/^(https?:\/\/)?(127\.0\.0\.1|localhost)(:|$)/.test(origin)) elsewhere.push(origin);
}
const onHttp = ({ request }: { request: ClientRequest }): void => recordRemote(String(request.getHeader('host')));
const onUndici = ({ request }: { request: { origin: string } }): void => recordRemote(request.origin);
beforeAll(() => {
  subscribe('http.client.request.start', onHttp as (message: unknown) => void);
  subscribe('undici:request:create', onUndici as (message: unknown) => void);
});
afterAll(() => {
  unsubscribe('http.client.request.start', onHttp as (message: unknown) => void);
  unsubscribe('undici:request:create', onUndici as (message: unknown) => void);
  expect(elsewhere).toEqual([]);
});

async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.once('listening', () => r()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('CloudTraceExporter with a local metadata server and local Google endpoints', () => {
  let google: FakeGoogle;
  let restore: () => void;
  beforeEach(async () => {
    google = new FakeGoogle();
    await google.start();
    restore = googleEnv({ GCE_METADATA_HOST: google.metadataHost, METADATA_SERVER_DETECTION: 'assume-present' });
  });
  afterEach(async () => {
    await Promise.all(tracers.splice(0).map((t) => t.shutdown()));
    restore();
    await google.stop();
  });

  /** express (front) → axios → koa (@koa/router), each service with its own tracer and exporter. */
  async function tracedCall(options: CloudTraceExporterOptions): Promise<{ traceId: string; front: Tracer; back: Tracer }> {
    const back = tracer('back', options);
    const koa = new Koa();
    koa.use(koaTracing({ tracer: back }));
    const router = new Router({ prefix: '/api' });
    router.get('/queues/:queue', (ctx) => {
      ctx.body = { depth: 3 };
    });
    koa.use(router.routes());
    const koaServer = koa.listen(0, '127.0.0.1');
    const koaUrl = await listen(koaServer);

    const front = tracer('front', options);
    const client = axios.create({ baseURL: koaUrl });
    traceAxios(client, { tracer: front });
    const app = express();
    app.use(expressTracing({ tracer: front }));
    app.get('/stats/:queue', async (req, res) => {
      const { data } = await client.get(`/api/queues/${req.params.queue}`);
      res.json({ traceId: req.span.spanContext().traceId, ...data });
    });
    const appServer = app.listen(0, '127.0.0.1');
    const appUrl = await listen(appServer);
    try {
      const { data } = await axios.get(`${appUrl}/stats/default`, { headers: { 'user-agent': 'test-agent/1' } });
      await new Promise((r) => setTimeout(r, 20)); // server spans end on 'finish'
      await Promise.all([front.flush(), back.flush()]);
      return { traceId: data.traceId as string, front, back };
    } finally {
      for (const server of [appServer, koaServer]) {
        server.closeAllConnections();
        server.close();
      }
    }
  }

  it('cloudtrace-v2: a traced express → axios → koa call arrives as one valid trace', async () => {
    const { traceId } = await tracedCall({ apiEndpoint: google.url });
    expect(google.batchWrites.length).toBeGreaterThanOrEqual(2);
    expect(google.batchWrites.flatMap((w) => w.problems)).toEqual([]);
    expect(new Set(google.batchWrites.map((w) => w.project))).toEqual(new Set([google.project]));
    expect(google.batchWrites.every((w) => w.token.startsWith('metadata-token-'))).toBe(true);
    const spans = google.v2Spans();
    expect(spans).toHaveLength(3);
    expect(new Set(spans.map((s) => String(s.name).split('/')[3]))).toEqual(new Set([traceId]));
    const byName = new Map(spans.map((s) => [(s.displayName as { value: string }).value, s]));
    const frontServer = byName.get('GET /stats/:queue')!;
    const frontClient = byName.get('GET')!;
    const backServer = byName.get('GET /api/queues/:queue')!;
    expect(frontServer.parentSpanId).toBeUndefined();
    expect(frontServer.sameProcessAsParentSpan).toBeUndefined();
    expect(frontServer.childSpanCount).toBe(1);
    expect(frontClient.parentSpanId).toBe(frontServer.spanId);
    expect(frontClient.sameProcessAsParentSpan).toBe(true);
    expect(backServer.parentSpanId).toBe(frontClient.spanId);
    expect(backServer.sameProcessAsParentSpan).toBe(false);
    expect([frontServer.spanKind, frontClient.spanKind, backServer.spanKind]).toEqual(['SERVER', 'CLIENT', 'SERVER']);
    const labels = (frontServer.attributes as { attributeMap: Record<string, unknown> }).attributeMap;
    expect(labels).toMatchObject({
      '/http/method': { stringValue: { value: 'GET' } },
      '/http/status_code': { intValue: '200' },
      '/http/route': { stringValue: { value: '/stats/:queue' } },
      '/http/host': { stringValue: { value: '127.0.0.1' } },
      '/http/user_agent': { stringValue: { value: 'test-agent/1' } },
      'g.co/agent': { stringValue: { value: AGENT } },
      'service.name': { stringValue: { value: 'front' } },
    });
    expect((frontClient.attributes as { attributeMap: Record<string, { stringValue?: { value: string } }> }).attributeMap['/http/url']!.stringValue!.value).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/queues\/default$/);
  });

  it('otlp: the same call arrives at the Telemetry API endpoint as one trace, with token, quota project and gcp.project_id', async () => {
    const { traceId } = await tracedCall({ protocol: 'otlp', otlpUrl: `${google.url}/v1/traces` });
    expect(google.otlpRequests.length).toBeGreaterThanOrEqual(2);
    expect(google.otlpRequests.every((r) => r.token.startsWith('metadata-token-') && r.userProject === google.project)).toBe(true);
    type Otlp = { resourceSpans: Array<{ resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> }; scopeSpans: Array<{ spans: Array<{ name: string; traceId: string; spanId: string; parentSpanId?: string; kind: number }> }> }> };
    const resourceSpans = google.otlpRequests.flatMap((r) => (r.body as Otlp).resourceSpans);
    for (const rs of resourceSpans) expect(rs.resource.attributes).toContainEqual({ key: 'gcp.project_id', value: { stringValue: google.project } });
    const spans = resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans));
    expect(spans).toHaveLength(3);
    expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([traceId]));
    const server = spans.find((s) => s.name === 'GET /stats/:queue')!;
    const client = spans.find((s) => s.name === 'GET')!;
    const back = spans.find((s) => s.name === 'GET /api/queues/:queue')!;
    expect(client.parentSpanId).toBe(server.spanId);
    expect(back.parentSpanId).toBe(client.spanId);
  });

  it('loses nothing when the API answers 503, then 429 with Retry-After', async () => {
    google.traceAnswers.push({ status: 503, body: '{"error":{"message":"backend unavailable"}}' }, { status: 429, headers: { 'retry-after': '0' } });
    const t = tracer('svc', { apiEndpoint: google.url });
    for (let i = 0; i < 5; i++) t.startSpan(`work ${i}`).end();
    await t.flush();
    expect(google.v2Spans().map((s) => (s.displayName as { value: string }).value)).toEqual(['work 0', 'work 1', 'work 2', 'work 3', 'work 4']);
    expect(t.stats()).toMatchObject({ spansExported: 5, exportAttempts: 3, exportFailures: 2 });
  });

  it('a batch sent in several calls: what the API took before a failure counts as exported and is not sent again', async () => {
    google.traceAnswers.push(undefined, { status: 503 });
    const t = tracer('svc', { apiEndpoint: google.url, maxSpansPerCall: 2 });
    for (let i = 0; i < 5; i++) t.startSpan(`work ${i}`).end();
    await t.flush();
    expect(google.batchWrites.map((w) => w.body.spans.map((s) => (s.displayName as { value: string }).value))).toEqual([
      ['work 0', 'work 1'],
      ['work 2', 'work 3'],
      ['work 4'],
    ]);
    expect(t.stats()).toMatchObject({ spansExported: 5, exportAttempts: 2, exportFailures: 1 });
  });

  it('drops a batch the API rejects with 400, logs the API\'s message once, and the app is unaffected', async () => {
    const warnings: string[] = [];
    const logger = { warn: (m: string) => void warnings.push(m) };
    for (let i = 0; i < 3; i++) google.traceAnswers.push({ status: 400, body: '{"error":{"code":400,"message":"Invalid span name"}}' });
    const t = tracer('svc', { apiEndpoint: google.url }, logger);
    for (let i = 0; i < 3; i++) {
      expect(() => t.startSpan(`bad ${i}`).end()).not.toThrow();
      await t.flush();
    }
    expect(t.stats()).toMatchObject({ spansExported: 0, exportAttempts: 3, spansDropped: { exportFailed: 3 } });
    expect(warnings).toEqual(['dropped 1 spans after 1 export attempt(s), last failure: Cloud Trace rejected the batch (400): Invalid span name']);
  });

  it('refreshes the token once on 401', async () => {
    google.revokeNextToken = true; // the metadata server's first token will be refused
    const t = tracer('svc', { apiEndpoint: google.url });
    t.startSpan('after refresh').end();
    await t.flush();
    expect(google.rejectedTokens).toEqual(['metadata-token-1']);
    expect(google.batchWrites.map((w) => w.token)).toEqual(['metadata-token-2']);
    expect(t.stats()).toMatchObject({ spansExported: 1, exportFailures: 0 });
  });

  it('uses an authClient passed in', async () => {
    const client = new OAuth2Client();
    const token = google.issue('given');
    client.setCredentials({ access_token: token, expiry_date: Date.now() + 3_600_000 });
    const t = tracer('svc', { apiEndpoint: google.url, authClient: client, projectId: 'given-project' });
    t.startSpan('with given client').end();
    await t.flush();
    expect(google.batchWrites.map((w) => [w.token, w.project])).toEqual([[token, 'given-project']]);
  });

  it('retries while the metadata server is down, within a bounded queue, and recovers', async () => {
    google.metadataUp = false;
    const t = tracked(
      createTracer({
        serviceName: 'svc',
        sampler: 'always_on',
        logger: quiet,
        exporter: new CloudTraceExporter({ apiEndpoint: google.url, projectId: 'p-fixed', logger: quiet }),
        batch: { maxQueueSize: 20, maxExportBatchSize: 20, scheduledDelayMillis: 5, initialBackoffMillis: 5, maxBackoffMillis: 10, maxAttempts: 2 },
      }),
    );
    for (let i = 0; i < 100; i++) t.startSpan(`s${i}`).end();
    await t.flush();
    const down = t.stats();
    expect(down.queued).toBeLessThanOrEqual(20);
    expect(down.spansDropped.queueFull).toBeGreaterThan(0);
    expect(down.spansDropped.exportFailed).toBeGreaterThan(0);
    expect(down.spansExported).toBe(0);
    google.metadataUp = true;
    t.startSpan('after recovery').end();
    await t.flush();
    expect(google.v2Spans().map((s) => (s.displayName as { value: string }).value)).toContain('after recovery');
  }, 20_000);

  it('without a project id: one clear warning, spans dropped and counted', async () => {
    google.metadataUp = false; // nowhere to learn the project from
    const warnings: string[] = [];
    const logger = { warn: (m: string) => void warnings.push(m) };
    const t = tracer('svc', { apiEndpoint: google.url }, logger);
    for (let i = 0; i < 3; i++) {
      t.startSpan(`lost ${i}`).end();
      await t.flush();
    }
    expect(google.batchWrites).toHaveLength(0);
    expect(t.stats().spansDropped.exportFailed).toBe(3);
    expect(warnings.filter((w) => w.startsWith('Cloud Trace: no Google Cloud project id'))).toHaveLength(1);
  });

  it('reads an external_account credentials file from GOOGLE_APPLICATION_CREDENTIALS', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tracewell-gcp-'));
    writeFileSync(join(dir, 'subject-token'), 'subject-token-from-file');
    writeFileSync(
      join(dir, 'credentials.json'),
      JSON.stringify({
        type: 'external_account',
        audience: '//iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/pool/providers/provider',
        subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
        token_url: `${google.url}/sts/token`,
        credential_source: { file: join(dir, 'subject-token') },
      }),
    );
    restore();
    restore = googleEnv({ GOOGLE_APPLICATION_CREDENTIALS: join(dir, 'credentials.json'), GOOGLE_CLOUD_PROJECT: 'from-env' });
    const t = tracer('svc', { apiEndpoint: google.url });
    t.startSpan('federated').end();
    await t.flush();
    expect(google.batchWrites.map((w) => [w.token, w.project])).toEqual([['sts-token-1', 'from-env']]);
  });

  it('gives Cloud Logging fields once the project is known', async () => {
    const exporter = new CloudTraceExporter({ projectId: 'log-project', apiEndpoint: google.url, logger: quiet });
    const t = tracked(createTracer({ sampler: 'always_on', exporter, logger: quiet }));
    expect(exporter.logFields()).toEqual({});
    t.startActiveSpan('handler', (span) => {
      expect(exporter.logFields()).toEqual({
        'logging.googleapis.com/trace': `projects/log-project/traces/${span.spanContext().traceId}`,
        'logging.googleapis.com/spanId': span.spanContext().spanId,
        'logging.googleapis.com/trace_sampled': true,
      });
    });
  });

  it('OTEL_TRACES_EXPORTER=cloud-trace loads it with Cloud Trace batching', () => {
    const options = tracerOptionsFromEnv({ OTEL_TRACES_EXPORTER: 'cloud-trace', TRACEWELL_CLOUD_TRACE_PROTOCOL: 'otlp' }, quiet);
    expect(options.exporter?.constructor.name).toBe('CloudTraceExporter'); // core loads the built package
    expect(options.batch).toMatchObject({ maxExportBatchSize: 1000 });
  });

  it.each([
    [{ protocol: 'grpc' }, /"CloudTraceExporter.protocol": expected "cloudtrace-v2" or "otlp"/],
    [{ projectId: 'x' }, /"CloudTraceExporter.projectId": expected a Google Cloud project id/],
    [{ apiEndpoint: 'cloudtrace' }, /"CloudTraceExporter.apiEndpoint": expected an http: or https: URL/],
    [{ maxSpansPerCall: 0 }, /"CloudTraceExporter.maxSpansPerCall": expected a positive integer/],
  ])('rejects %p at construction', (options, message) => {
    expect(() => new CloudTraceExporter(options as never)).toThrow(message);
  });
});
