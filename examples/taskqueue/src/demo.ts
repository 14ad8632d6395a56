// `npm run demo`: the TaskQueue.Stats trace from Google's "Distributed tracing for Go" (2017),
// for real: five services, each its own process, traced with Tracewell and exporting over
// OTLP/HTTP to the viewer running here. Sends a few TaskQueue.Stats requests, waits until the
// viewer has a whole trace, prints it as a waterfall with the viewer's URL for it, and serves
// until Ctrl-C. `--once`: exit after printing. `--verbose`: show the services' own output.
import { formatAnalysis, startViewer } from '@tracewell/viewer';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startService, ServiceStartError, type ServiceProcess } from './children';
import type { QueueStats } from './apps/frontend';
import { BACKENDS, FRONTEND, SERVICES, type ServiceSpec } from './topology';
import { waitForTrace } from './viewer-api';
import { renderWaterfall } from './waterfall';

const REQUESTS = 3;
const once = process.argv.includes('--once');
const verbose = process.argv.includes('--verbose');

type Viewer = Awaited<ReturnType<typeof startViewer>>;

/** On TRACEWELL_VIEWER_PORT (default 4318, the OTLP/HTTP port), or any free port if that one is taken. */
async function openViewer(): Promise<Viewer> {
  const port = Number(process.env.TRACEWELL_VIEWER_PORT ?? 4318);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`TRACEWELL_VIEWER_PORT: not a port number: ${process.env.TRACEWELL_VIEWER_PORT}`);
  try {
    return await startViewer({ port });
  } catch (error) {
    if (port === 0 || (error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    console.log(`(Port ${port} is in use, by a collector or another viewer perhaps: the viewer takes a free port instead.)`);
    return startViewer({ port: 0 });
  }
}

async function main(): Promise<number> {
  const services: ServiceProcess[] = [];
  let viewer: Viewer | undefined;
  let stopping: Promise<void> | undefined;
  /** Services first (they flush their last spans to the viewer on SIGTERM), then the viewer. */
  const stopAll = (): Promise<void> =>
    (stopping ??= (async () => {
      await Promise.all(services.map((s) => s.stop()));
      await viewer?.close();
    })());
  let interrupted: ((signal: NodeJS.Signals) => void) | undefined;
  const signalled = new Promise<NodeJS.Signals>((resolve) => (interrupted = resolve));
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => interrupted!(signal));
  process.on('exit', () => services.forEach((s) => s.terminate())); // last resort; a no-op after stopAll

  const start = async (spec: ServiceSpec, env: NodeJS.ProcessEnv, endpoint: string): Promise<ServiceProcess> => {
    const { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: _ignored, ...inherited } = process.env; // it would win over ours
    const service = await startService(spec, {
      script: join(__dirname, 'services', `${spec.name}.js`),
      env: { ...inherited, ...env, PORT: '0', OTEL_SERVICE_NAME: spec.name, OTEL_EXPORTER_OTLP_ENDPOINT: endpoint },
      echo: verbose ? (line) => console.log(line) : undefined,
    });
    services.push(service);
    if (stopping !== undefined) void service.stop(); // started while we were stopping (Ctrl-C)
    return service;
  };

  const run = async (): Promise<'once' | 'serving'> => {
    console.log('Tracewell demo: the TaskQueue.Stats request from "Distributed tracing for Go" (2017), five services.\n');
    viewer = await openViewer();
    const endpoint = viewer.url;
    console.log(`Viewer (OTLP/HTTP receiver and UI)  ${viewer.url}`);

    const started = await Promise.allSettled(BACKENDS.map((spec) => start(spec, {}, endpoint)));
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    const urls = Object.fromEntries(BACKENDS.map((spec, i) => [spec.urlVariable, (started[i] as PromiseFulfilledResult<ServiceProcess>).value.url]));
    const frontend = await start(FRONTEND, urls, endpoint);
    console.log('Services, one process each:');
    const rows = SERVICES.map((spec) => {
      const service = services.find((s) => s.spec === spec)!;
      return [spec.name, spec.framework, service.url, spec.rpc, `pid ${service.pid}`];
    });
    const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)) + 2);
    for (const row of rows) console.log(`  ${row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('')}`);

    const path = '/TaskQueue.Stats?queue=default';
    const sent: Array<{ traceId: string; millis: number }> = [];
    for (let i = 0; i < REQUESTS; i++) {
      const began = performance.now();
      const response = await fetch(`${frontend.url}${path}`, { headers: { 'x-user': 'alice' } });
      if (!response.ok) throw new Error(`GET ${path}: HTTP ${response.status}: ${await response.text()}`);
      const { traceId } = (await response.json()) as QueueStats;
      sent.push({ traceId, millis: performance.now() - began });
    }
    console.log(`\nGET ${path} × ${REQUESTS}: ${sent.map((r) => `${Math.round(r.millis)} ms`).join(', ')}`);

    const { traceId } = sent[sent.length - 1]!; // the last one: the first pays for warming up
    const spans = await waitForTrace(viewer.url, traceId, { services: SERVICES.map((s) => s.name) });
    const root = spans.find((s) => s.parentSpanId === null)!;
    console.log(`\nTrace ${traceId}: ${spans.length} spans from ${new Set(spans.map((s) => s.service)).size} services, ${root.durationMs.toFixed(1)} ms\n`);
    console.log(renderWaterfall(spans));
    // The viewer runs in this process: its store has the analysis the API would answer with.
    console.log(`\n${formatAnalysis(viewer.store.analysis(traceId)!)}`);
    console.log(`In the viewer: ${viewer.url}/#/traces/${traceId}`);
    if (once) return 'once';
    console.log(`\nServing until Ctrl-C. More traces: curl '${frontend.url}${path}', then ${viewer.url}`);
    return 'serving';
  };

  const showOutput = (...more: string[]): void => {
    const outputs = [...more, ...services.map((s) => s.output())].filter((output) => output !== '');
    if (outputs.length > 0) console.error(`What the services printed:\n${outputs.join('\n')}`);
  };
  try {
    const demo = run();
    demo.catch(() => undefined); // if a signal wins the race, what run() does next no longer matters
    const outcome = await Promise.race([demo, signalled]);
    if (outcome === 'serving') {
      const died = Promise.race(services.map((s) => s.exited.then((exit) => ({ service: s, exit }))));
      const ended = await Promise.race([signalled, died]);
      if (typeof ended !== 'string') {
        console.error(`\n${ended.service.spec.name} stopped unexpectedly (${ended.exit.signal ?? `exit code ${ended.exit.code}`}).`);
        if (!verbose) showOutput();
        return 1;
      }
    }
    if (outcome !== 'once') console.log('\nStopping the services and the viewer.');
    return 0;
  } catch (error) {
    console.error(`\nThe demo failed: ${error instanceof Error ? error.message : String(error)}`);
    if (!verbose) showOutput(error instanceof ServiceStartError ? error.output : '');
    return 1;
  } finally {
    await stopAll();
  }
}

main().then(
  (code) => process.stdout.write('', () => process.exit(code)),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
