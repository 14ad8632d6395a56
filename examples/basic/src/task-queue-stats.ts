import { SpanKind, type Tracer } from '@tracewell/core';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Delays of the simulated downstream calls, in milliseconds (the shape of the 2017 trace). */
export interface StatsTimings {
  auth: number;
  report: number;
  systemStats: number;
  render: number;
}

/** Roughly the proportions of the original 581 ms trace: rendering is the slow part. */
export const DEFAULT_TIMINGS: StatsTimings = { auth: 40, report: 120, systemStats: 90, render: 300 };

/**
 * Simulates a `TaskQueue.Stats` request in one process: auth, then two queue reports and the
 * system stats at once, then a graph render. Each downstream call is a CLIENT span whose
 * headers are what would go on the wire; returns those headers by call name.
 */
export async function taskQueueStats(tracer: Tracer, timings: StatsTimings = DEFAULT_TIMINGS): Promise<Record<string, Record<string, string>>> {
  const sent: Record<string, Record<string, string>> = {};
  const call = (name: string, ms: number, attributes: Record<string, string> = {}): Promise<void> =>
    tracer.startActiveSpan(name, { kind: SpanKind.CLIENT, attributes }, async (span) => {
      const headers: Record<string, string> = {};
      tracer.inject(span, headers);
      sent[name] = headers;
      await sleep(ms);
    });

  await tracer.startActiveSpan('TaskQueue.Stats', { kind: SpanKind.SERVER, attributes: { 'app.queue': 'default' } }, async (span) => {
    await call('TaskQueue.Auth', timings.auth, { 'enduser.id': 'alice' });
    await Promise.all([
      call('QueueService.Report', timings.report, { 'app.report': 'pending' }),
      call('QueueService.Report#2', timings.report, { 'app.report': 'leased' }),
      call('System.Stats', timings.systemStats),
    ]);
    await call('Graphiz.Render', timings.render, { 'app.format': 'svg' });
    span.addEvent('response written');
  });
  return sent;
}
