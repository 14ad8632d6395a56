// How each service process starts: a tracer that exports to OTLP/HTTP (the viewer), flushed on
// SIGTERM/SIGINT, then the app on PORT. This is all the tracing setup a service needs.
import { createTracer, setGlobalTracer, shutdownOnSignal } from '@tracewell/core';
import { traceHttpClients } from '@tracewell/http-client';
import { OTLPTraceExporter } from '@tracewell/otlp';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An Express or Koa app. */
export interface Listenable {
  listen(port: number, host: string): Server;
}

/** What a service tells the process that started it (the demo) once it accepts connections. */
export interface ListeningMessage {
  type: 'listening';
  port: number;
}

/** An environment variable the service cannot do without (another service's URL). */
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} is not set (the URL of the service to call)`);
  return value;
}

/**
 * Runs one service: `OTEL_SERVICE_NAME` (default `defaultName`), spans to
 * `OTEL_EXPORTER_OTLP_ENDPOINT` (+ `/v1/traces`; default http://localhost:4318, where the
 * viewer listens), the app on `PORT` (default 0: any free port) of `HOST` (default 127.0.0.1).
 */
export function runService(defaultName: string, createApp: () => Listenable): void {
  const serviceName = process.env.OTEL_SERVICE_NAME ?? defaultName;
  const tracer = createTracer({
    serviceName,
    exporter: new OTLPTraceExporter(), // reads OTEL_EXPORTER_OTLP_*, as OpenTelemetry's does
    batch: { scheduledDelayMillis: 200 }, // spans reach the viewer within ~0.2 s (default 5 s)
  });
  setGlobalTracer(tracer); // what traceMiddleware(), traceAxios() and traceHttpClients() use
  traceHttpClients(); // fetch and node:http calls (axios calls stay traceAxios's, one span each)
  shutdownOnSignal(tracer, { timeoutMillis: 3000 }); // SIGTERM / Ctrl-C: flush, then exit

  const host = process.env.HOST ?? '127.0.0.1';
  const server = createApp().listen(Number(process.env.PORT ?? 0), host);
  server.once('error', (error) => {
    console.error(`${serviceName}: ${error.message}`);
    process.exit(1);
  });
  server.once('listening', () => {
    const { port } = server.address() as AddressInfo;
    console.log(`${serviceName} listening on http://${host}:${port}`);
    process.send?.({ type: 'listening', port } satisfies ListeningMessage);
  });
  // Started by the demo: if the demo goes away without stopping us (killed), stop too.
  if (process.send !== undefined) {
    process.once('disconnect', () => {
      void tracer
        .shutdown({ timeoutMillis: 1000 })
        .catch(() => undefined)
        .then(() => process.exit(0));
    });
  }
}
