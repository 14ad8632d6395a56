// Starts a service as its own process and stops it again. Its output is kept (the last lines),
// not shown: the demo prints it only when something goes wrong, or live with --verbose.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { ListeningMessage } from './run-service';
import type { ServiceSpec } from './topology';

const KEPT_LINES = 200;

export interface ServiceExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ServiceProcess {
  readonly spec: ServiceSpec;
  /** e.g. `http://127.0.0.1:41823`, or `127.0.0.1:41823` for a gRPC service (a grpc-js target) */
  readonly url: string;
  readonly pid: number;
  /** Settles when the process has exited and its output is read. */
  readonly exited: Promise<ServiceExit>;
  /** Its last lines of stdout and stderr, each prefixed with `[name] `. */
  output(): string;
  /** SIGTERM (the service flushes its spans and exits), SIGKILL after `timeoutMillis`. */
  stop(timeoutMillis?: number): Promise<ServiceExit>;
  /** Sends SIGTERM if it is still running, and returns at once (for `process.on('exit')`). */
  terminate(): void;
}

/** A service that failed to start; `output` is what it printed. */
export class ServiceStartError extends Error {
  constructor(
    message: string,
    readonly output: string,
  ) {
    super(message);
    this.name = 'ServiceStartError';
  }
}

export interface StartOptions {
  /** The service's script, e.g. dist/services/auth.js. */
  script: string;
  /** Its whole environment. Set PORT=0 to let it take any free port: it reports the one it got. */
  env: NodeJS.ProcessEnv;
  /** Called with every line it prints (prefixed), as it prints it. */
  echo?: (line: string) => void;
  /** Default 10000 ms. */
  timeoutMillis?: number;
}

const isListening = (message: unknown): message is ListeningMessage =>
  typeof message === 'object' &&
  message !== null &&
  (message as ListeningMessage).type === 'listening' &&
  typeof (message as ListeningMessage).port === 'number' &&
  ['http', 'grpc'].includes((message as ListeningMessage).protocol);

/** Where callers reach a service that listens on `port`. */
const addressOf = ({ port, protocol }: ListeningMessage): string => (protocol === 'grpc' ? `127.0.0.1:${port}` : `http://127.0.0.1:${port}`);

/** Spawns `node <script>` and resolves once it listens (it says so over the IPC channel). */
export function startService(spec: ServiceSpec, options: StartOptions): Promise<ServiceProcess> {
  // detached: its own process group, so a Ctrl-C in the terminal reaches the demo alone, which
  // then stops the services in order (they also stop if the demo dies: see run-service.ts).
  const child = spawn(process.execPath, [options.script], { env: options.env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'], detached: true });
  const lines: string[] = [];
  const keep = (stream: Readable): void => {
    createInterface({ input: stream, crlfDelay: Infinity }).on('line', (text) => {
      const line = `[${spec.name}] ${text}`;
      lines.push(line);
      if (lines.length > KEPT_LINES) lines.shift();
      options.echo?.(line);
    });
  };
  keep(child.stdout!);
  keep(child.stderr!);
  const output = (): string => lines.join('\n');
  let running = true;
  const exited = new Promise<ServiceExit>((resolve) =>
    child.once('close', (code, signal) => {
      running = false;
      resolve({ code, signal });
    }),
  );
  const terminate = (): void => {
    if (running) child.kill('SIGTERM');
  };
  const stop = async (timeoutMillis = 5000): Promise<ServiceExit> => {
    if (running) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMillis);
      await exited;
      clearTimeout(timer);
    }
    return exited;
  };

  const timeoutMillis = options.timeoutMillis ?? 10_000;
  return new Promise<ServiceProcess>((resolve, reject) => {
    let settled = false;
    const fail = (reason: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void stop(1000).then(() => reject(new ServiceStartError(`${spec.name}: ${reason}`, output())));
    };
    const timer = setTimeout(() => fail(`not listening after ${timeoutMillis} ms`), timeoutMillis);
    child.once('error', (error) => fail(error.message)); // could not spawn
    void exited.then(({ code, signal }) => fail(`exited (${signal ?? `code ${code}`}) before listening`));
    child.on('message', (message) => {
      if (settled || !isListening(message)) return;
      settled = true;
      clearTimeout(timer);
      resolve({ spec, url: addressOf(message), pid: child.pid!, exited, output, stop, terminate });
    });
  });
}
