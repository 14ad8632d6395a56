import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createTracer, InMemorySpanExporter, SimpleSpanProcessor, SpanKind } from '@tracewell/core';
import { createBackend } from '../src/backend';
import { createFrontend } from '../src/frontend';

describe('express-axios example', () => {
  it('traces a frontend request and its backend call as one tree', async () => {
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
      const backendUrl = await listen(createBackend(tracer('backend')));
      const frontendUrl = await listen(createFrontend(backendUrl, tracer('frontend')));
      const body = (await (await fetch(`${frontendUrl}/stats/default`)).json()) as { traceId: string; report: { queue: string } };
      expect(body.report.queue).toBe('default');
      for (let i = 0; i < 100 && exporter.getFinishedSpans().length < 3; i++) await new Promise((r) => setTimeout(r, 5));
      const spans = exporter.getFinishedSpans();
      const names = spans.map((s) => `${s.resource.attributes['service.name']} ${SpanKind[s.kind]} ${s.name}`).sort();
      expect(names).toEqual(['backend SERVER GET /queues/:queue/report', 'frontend CLIENT GET', 'frontend SERVER GET /stats/:queue']);
      expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([body.traceId]));
      const backendSpan = spans.find((s) => s.resource.attributes['service.name'] === 'backend')!;
      expect(backendSpan.attributes['app.queue']).toBe('default');
      expect(backendSpan.parentSpanId).toBe(spans.find((s) => s.kind === SpanKind.CLIENT)!.spanId);
    } finally {
      servers.forEach((s) => s.close());
    }
  });
});
