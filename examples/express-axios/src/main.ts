// Runs both services in one process (each with its own tracer, as two processes would have),
// sends one request through them, and prints the spans as they end.
import { ConsoleSpanExporter, createTracer, SimpleSpanProcessor } from '@tracewell/core';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createBackend } from './backend';
import { createFrontend } from './frontend';

const tracerFor = (serviceName: string) =>
  createTracer({ serviceName, sampler: 'always_on', spanProcessors: [new SimpleSpanProcessor(new ConsoleSpanExporter({ write: (line) => console.log(`[${serviceName}] ${line}`) }))] });

function listen(app: { listen(port: number, host: string): Server }, port: number): Promise<Server> {
  const server = app.listen(port, '127.0.0.1');
  return new Promise((resolve) => server.once('listening', () => resolve(server)));
}

async function main(): Promise<void> {
  const backend = await listen(createBackend(tracerFor('backend')), Number(process.env.BACKEND_PORT ?? 0));
  const backendUrl = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;
  const frontend = await listen(createFrontend(backendUrl, tracerFor('frontend')), Number(process.env.FRONTEND_PORT ?? 0));
  const frontendUrl = `http://127.0.0.1:${(frontend.address() as AddressInfo).port}`;

  const response = await fetch(`${frontendUrl}/stats/default`);
  console.log(`\nGET ${frontendUrl}/stats/default → ${response.status} ${await response.text()}`);
  await new Promise((resolve) => setTimeout(resolve, 50)); // let the server spans end
  if (process.argv.includes('--serve')) {
    console.log(`\nServing: curl ${frontendUrl}/stats/default (Ctrl-C to stop)`);
    return;
  }
  frontend.close();
  backend.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
