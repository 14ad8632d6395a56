import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';

/** A finished span of the OpenTelemetry peer, as its `GET /spans` reports it. */
export interface PeerSpan {
  name: string;
  /** OpenTelemetry's SpanKind numbers, which are ours (SERVER 1, CLIENT 2). */
  kind: number;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
}

/** A running OpenTelemetry peer (fixtures/otel-peer.js). */
export interface OtelPeer {
  /** e.g. `http://127.0.0.1:40123` */
  readonly url: string;
  /** The peer's finished spans of one trace, once there are at least `count` (polls for up to 5 s). */
  spans(traceId: string, count: number): Promise<PeerSpan[]>;
  /** Closes its stdin (it exits), SIGTERM after 2 s; resolves once it has exited. */
  stop(): Promise<void>;
}

const PEER_SCRIPT = path.join(__dirname, '..', 'fixtures', 'otel-peer.js');

/** Reads `read()` until `done` accepts it (every 10 ms, at most 5 s): spans are exported after the responses. */
export async function poll<T>(what: string, read: () => T | Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last read: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Starts a service traced by the real OpenTelemetry JS SDK (sdk-trace-node with
 * instrumentation-http and instrumentation-undici) as a child process: `GET /leaf` answers with
 * the traceparent it got, `GET /call?target=URL[&client=fetch]` calls URL with `http.get` or
 * `fetch`. For interop tests of the client instrumentations, in both directions.
 */
export function startOtelPeer(): Promise<OtelPeer> {
  const child = spawn(process.execPath, [PEER_SCRIPT], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.stdin!.end(); // the peer exits when its stdin closes
    const killer = setTimeout(() => child.kill('SIGTERM'), 2000);
    await exited;
    clearTimeout(killer);
  };
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => reject(new Error(`the OpenTelemetry peer exited before listening (code ${code}, signal ${signal})`)));
    createInterface({ input: child.stdout! }).once('line', (line) => {
      const url = `http://127.0.0.1:${(JSON.parse(line) as { port: number }).port}`;
      const spans = (traceId: string, count: number): Promise<PeerSpan[]> =>
        poll(
          `${count} spans of the OpenTelemetry peer in trace ${traceId}`,
          async () => ((await (await fetch(`${url}/spans`)).json()) as PeerSpan[]).filter((s) => s.traceId === traceId),
          (found) => found.length >= count,
        );
      resolve({ url, spans, stop });
    });
  });
}
