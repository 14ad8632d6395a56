import { Writable } from 'node:stream';
import { get } from '@tracewell/conformance';
import { createTracer, InMemorySpanExporter, SimpleSpanProcessor, traceLogFields } from '@tracewell/core';
import express from 'express';
import pino from 'pino';
import winston from 'winston';
import { traceMiddleware } from '../src';
import { listen } from './apps';

/** A stream that keeps every JSON line written to it. */
function lines(): { stream: Writable; parsed: () => Array<Record<string, unknown>> } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { stream, parsed: () => chunks.join('').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('log correlation with pino and winston', () => {
  it('every line logged inside 100 concurrent requests carries its own request\'s ids', async () => {
    const pinoOut = lines();
    const winstonOut = lines();
    // The documented one-liners:
    const pinoLogger = pino({ mixin: () => traceLogFields() }, pinoOut.stream);
    const winstonLogger = winston.createLogger({
      format: winston.format.combine(winston.format((info) => Object.assign(info, traceLogFields()))(), winston.format.json()),
      transports: [new winston.transports.Stream({ stream: winstonOut.stream })],
    });
    const exporter = new InMemorySpanExporter();
    const tracer = createTracer({ sampler: 'always_on', spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const app = express();
    app.use(traceMiddleware({ tracer }));
    app.get('/orders/:id', async (req, res) => {
      pinoLogger.info({ order: req.params.id }, 'start');
      await new Promise((r) => setTimeout(r, Number(req.params.id) % 7));
      winstonLogger.info('done', { order: req.params.id });
      pinoLogger.info({ order: req.params.id }, 'done');
      res.json({ traceId: req.span.spanContext().traceId, spanId: req.span.spanContext().spanId });
    });
    const server = await listen(app);
    try {
      const responses = await Promise.all(Array.from({ length: 100 }, (_, i) => get(`${server.url}/orders/${i}`)));
      const expected = new Map(responses.map((res, i) => [String(i), res.body as { traceId: string; spanId: string }]));
      for (const [name, out, count] of [['pino', pinoOut, 200], ['winston', winstonOut, 100]] as const) {
        const logged = out.parsed();
        expect([name, logged.length]).toEqual([name, count]);
        for (const line of logged) {
          const ids = expected.get(String(line.order))!;
          expect({ logger: name, trace_id: line.trace_id, span_id: line.span_id, trace_flags: line.trace_flags }).toEqual({ logger: name, trace_id: ids.traceId, span_id: ids.spanId, trace_flags: '03' });
        }
      }
      expect(new Set(responses.map((r) => (r.body as { traceId: string }).traceId)).size).toBe(100);
      expect(traceLogFields()).toEqual({}); // and nothing leaks out of the requests
    } finally {
      await server.close();
    }
  });
});
