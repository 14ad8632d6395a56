// How each service process starts: a tracer that exports to OTLP/HTTP (the viewer), flushed on
// SIGTERM/SIGINT, then the app on PORT. This is all the tracing setup a service needs.
import { Server as GrpcServer, ServerCredentials } from '@grpc/grpc-js';
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
  /** `http`: an Express or Koa app; `grpc`: a grpc-js server (callers take `host:port` as its target). */
  protocol: 'http' | 'grpc';
}

/** Binds a grpc-js server (plaintext) to `host:port` and resolves with the port it got. */
export function listenGrpc(server: GrpcServer, port: number, host: string): Promise<number> {
  const address = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  return new Promise((resolve, reject) => server.bindAsync(address, ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))));
}

function listenHttp(app: Listenable, port: number, host: string): Promise<number> {
  const server = app.listen(port, host);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.once('listening', () => resolve((server.address() as AddressInfo).port));
  });
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
 * viewer listens), the app (HTTP) or grpc-js server (gRPC) on `PORT` (default 0: any free port)
 * of `HOST` (default 127.0.0.1).
 */
export function runService(defaultName: string, createApp: () => Listenable | GrpcServer): void {
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
  const app = createApp();
  const protocol = app instanceof GrpcServer ? 'grpc' : 'http';
  const port = Number(process.env.PORT ?? 0);
  const listening = app instanceof GrpcServer ? listenGrpc(app, port, host) : listenHttp(app, port, host);
  listening.then(
    (port) => {
      console.log(protocol === 'grpc' ? `${serviceName} listening on ${host}:${port} (gRPC)` : `${serviceName} listening on http://${host}:${port}`);
      process.send?.({ type: 'listening', port, protocol } satisfies ListeningMessage);
    },
    (error: Error) => {
      console.error(`${serviceName}: ${error.message}`);
      process.exit(1);
    },
  );
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
