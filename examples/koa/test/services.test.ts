import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createTracer, InMemorySpanExporter, SimpleSpanProcessor, SpanKind } from '@tracewell/core';
import { createDashboard } from '../src/dashboard';
import { createStore } from '../src/store';

describe('koa example', () => {
  it('traces a dashboard request and its store call as one tree', async () => {
    const exporter = new InMemorySpanExporter();
    const tracer = (serviceName: string) => createTracer({ serviceName, sampler: 'always_on', spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const servers: Server[] = [];
    const listen = async (app: { listen(port: number, host: string): Server }) => {
      const server = app.listen(0, '127.0.0.1');
      servers.push(server);
      await new Promise((r) => server.once('listening', r));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    };
    try {
      const storeUrl = await listen(createStore(tracer('store')));
      const dashboardUrl = await listen(createDashboard(storeUrl, tracer('dashboard')));
      const body = (await (await fetch(`${dashboardUrl}/dashboard/default`)).json()) as { traceId: string; depth: number };
      expect(body.depth).toBe(7);
      for (let i = 0; i < 100 && exporter.getFinishedSpans().length < 3; i++) await new Promise((r) => setTimeout(r, 5));
      const spans = exporter.getFinishedSpans();
      const names = spans.map((s) => `${s.resource.attributes['service.name']} ${SpanKind[s.kind]} ${s.name}`).sort();
      expect(names).toEqual(['dashboard CLIENT GET', 'dashboard SERVER GET /dashboard/:queue', 'store SERVER GET /v1/queues/:queue/depth']);
      expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([body.traceId]));
    } finally {
      servers.forEach((s) => s.close());
    }
  });
});
