// Runs both services in one process (each with its own tracer, as two processes would have),
// sends one request through them, and prints the spans as they end.
import { ConsoleSpanExporter, createTracer, SimpleSpanProcessor } from '@tracewell/core';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createStore } from './store';
import { createDashboard } from './dashboard';

const tracerFor = (serviceName: string) =>
  createTracer({ serviceName, sampler: 'always_on', spanProcessors: [new SimpleSpanProcessor(new ConsoleSpanExporter({ write: (line) => console.log(`[${serviceName}] ${line}`) }))] });

function listen(app: { listen(port: number, host: string): Server }, port: number): Promise<Server> {
  const server = app.listen(port, '127.0.0.1');
  return new Promise((resolve) => server.once('listening', () => resolve(server)));
}

async function main(): Promise<void> {
  const store = await listen(createStore(tracerFor('store')), Number(process.env.STORE_PORT ?? 0));
  const storeUrl = `http://127.0.0.1:${(store.address() as AddressInfo).port}`;
  const dashboard = await listen(createDashboard(storeUrl, tracerFor('dashboard')), Number(process.env.DASHBOARD_PORT ?? 0));
  const dashboardUrl = `http://127.0.0.1:${(dashboard.address() as AddressInfo).port}`;

  const response = await fetch(`${dashboardUrl}/dashboard/default`);
  console.log(`\nGET ${dashboardUrl}/dashboard/default → ${response.status} ${await response.text()}`);
  await new Promise((resolve) => setTimeout(resolve, 50)); // let the server spans end
  if (process.argv.includes('--serve')) {
    console.log(`\nServing: curl ${dashboardUrl}/dashboard/default (Ctrl-C to stop)`);
    return;
  }
  dashboard.close();
  store.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
