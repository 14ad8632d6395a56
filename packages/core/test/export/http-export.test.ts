import { Agent, createServer, globalAgent, Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { parseRetryAfter, resultForStatus, sendHttpExport } from '../../src/exporter';

describe('HTTP export classification', () => {
  it.each([
    [200, 'success'],
    [204, 'success'],
    [400, 'failed'],
    [401, 'failed'],
    [404, 'failed'],
    [413, 'failed'],
    [500, 'failed'],
    [429, 'retryable'],
    [502, 'retryable'],
    [503, 'retryable'],
    [504, 'retryable'],
  ])('status %i is %s', (status, code) => {
    expect(resultForStatus(status, undefined).code).toBe(code);
  });

  it('reads Retry-After as seconds or an HTTP date, capped at 5 minutes', () => {
    const now = Date.parse('2026-11-25T10:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Wed, 25 Nov 2026 10:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('Wed, 25 Nov 2026 09:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('86400', now)).toBe(300_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(resultForStatus(503, '2')).toMatchObject({ code: 'retryable', retryAfterMillis: 2000 });
  });

  it('never rejects: bad URLs fail, refused connections are retryable', async () => {
    expect((await sendHttpExport({ url: 'not a url', body: '' })).result.code).toBe('failed');
    const refused = await sendHttpExport({ url: 'http://127.0.0.1:1/', body: '[]' });
    expect(refused.result.code).toBe('retryable');
    const controller = new AbortController();
    controller.abort();
    expect((await sendHttpExport({ url: 'http://127.0.0.1:1/', body: '[]', signal: controller.signal })).result.code).toBe('failed');
    // A header Node refuses throws inside http.request: a permanent failure, the value not quoted.
    const badHeader = await sendHttpExport({ url: 'http://127.0.0.1:1/', body: '[]', headers: { authorization: 'Bearer secret\nx' } });
    expect(badHeader.result.code).toBe('failed');
    expect(badHeader.result.code === 'failed' && badHeader.result.error?.message).not.toMatch(/secret/);
  });
});

// Real servers on 127.0.0.1 that misbehave on purpose: a response that never ends must not
// hold an export (or the process) beyond sendHttpExport's bounds.
describe('sendHttpExport bounds', () => {
  /** The body bound once the status is known (RESPONSE_BODY_MILLIS in http-export.ts). */
  const BODY_MILLIS = 2000;
  /** Slack for a loaded 2-core machine: a bound on behaviour, not a benchmark. */
  const SLACK_MILLIS = 1000;
  const servers: Array<Server | NetServer> = [];
  const timers: Array<ReturnType<typeof setInterval>> = [];

  afterEach(async () => {
    for (const timer of timers.splice(0)) clearInterval(timer);
    for (const server of servers.splice(0)) {
      if (server instanceof Server) server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  /** Listens on port 0; `closed` resolves when the first connection's server side closes. */
  async function listen<S extends Server | NetServer>(server: S): Promise<{ url: string; connections: () => number; closed: Promise<void> }> {
    servers.push(server);
    let connections = 0;
    let onClosed!: () => void;
    const closed = new Promise<void>((resolve) => (onClosed = resolve));
    server.on('connection', (socket: Socket) => {
      if (connections++ === 0) socket.on('close', () => onClosed());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`, connections: () => connections, closed };
  }

  /** Writes `chunk` every `ms` until the client goes away (or the test ends). */
  function trickle(response: ServerResponse | Socket, chunk: string | Buffer, ms: number): void {
    const timer = setInterval(() => response.write(chunk), ms);
    timers.push(timer);
    response.on('close', () => clearInterval(timer));
  }

  it('cuts a body longer than maxResponseBytes and closes the connection instead of draining it', async () => {
    const server = createServer((request, response) => {
      request.resume();
      response.writeHead(200, { 'content-type': 'application/x-protobuf' });
      trickle(response, Buffer.alloc(16 * 1024, 1), 1); // an endless stream, fast
    });
    const { url, closed } = await listen(server);
    const started = Date.now();
    const response = await sendHttpExport({ url, body: 'x', maxResponseBytes: 1000, timeoutMillis: 10_000 });
    expect(Date.now() - started).toBeLessThan(SLACK_MILLIS); // cut by size, not by a timer
    expect(response.result.code).toBe('success');
    expect(response.statusCode).toBe(200);
    expect(response.body).toEqual(Buffer.alloc(1000, 1));
    await closed; // the socket was destroyed (a drained body would keep it open for reuse)
  });

  it.each([
    [200, 'success'],
    [503, 'retryable'],
  ])('a %i whose body trickles forever ends within the body bound, classified %s', async (status, code) => {
    const server = createServer((request, response) => {
      request.resume();
      response.writeHead(status, { 'retry-after': '1' });
      response.write('{');
      trickle(response, ' ', 100);
    });
    const { url, closed } = await listen(server);
    const started = Date.now();
    const response = await sendHttpExport({ url, body: 'x', timeoutMillis: 30_000 });
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(BODY_MILLIS - 50);
    expect(elapsed).toBeLessThan(BODY_MILLIS + SLACK_MILLIS);
    expect(response.result.code).toBe(code);
    if (status === 503) expect(response.result).toMatchObject({ retryAfterMillis: 1000 });
    expect(response.statusCode).toBe(status);
    expect(response.body!.toString()).toMatch(/^\{ +$/); // what arrived in time
    await closed;
  });

  it('timeoutMillis bounds the whole request: headers trickled byte by byte never complete it', async () => {
    const server = createNetServer((socket) => {
      socket.resume();
      socket.write('HTTP/1.1 200 OK\r\n');
      trickle(socket, 'x', 50); // one endless header line, each byte resetting an idle timeout
    });
    const { url, closed } = await listen(server);
    const started = Date.now();
    const response = await sendHttpExport({ url, body: 'x', timeoutMillis: 500 });
    expect(Date.now() - started).toBeLessThan(500 + SLACK_MILLIS);
    expect(response.result).toMatchObject({ code: 'retryable', error: { message: 'no response within 500 ms' } });
    expect(response.statusCode).toBeUndefined();
    await closed;
  });

  it('timeoutMillis bounds the body too, when it ends before the body bound', async () => {
    const server = createServer((request, response) => {
      request.resume();
      response.writeHead(200);
      trickle(response, 'x', 50);
    });
    const { url, closed } = await listen(server);
    const started = Date.now();
    const response = await sendHttpExport({ url, body: 'x', timeoutMillis: 700 });
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(650);
    expect(elapsed).toBeLessThan(700 + SLACK_MILLIS);
    expect(response.result.code).toBe('success'); // the status was known: it decides
    await closed;
  });

  it('a collector that accepts and never answers fails retryable at timeoutMillis', async () => {
    const server = createServer((request) => void request.resume());
    const { url, closed } = await listen(server);
    const started = Date.now();
    const response = await sendHttpExport({ url, body: 'x', timeoutMillis: 300 });
    expect(Date.now() - started).toBeLessThan(300 + SLACK_MILLIS);
    expect(response.result.code).toBe('retryable');
    await closed;
  });

  it('reads a normal response to its end and leaves the keep-alive socket for the next export', async () => {
    const server = createServer((request, response) => {
      request.resume();
      request.on('end', () => response.writeHead(200, { 'content-type': 'application/json' }).end('{"partialSuccess":{}}'));
    });
    const { url, connections } = await listen(server);
    const first = await sendHttpExport({ url, body: '[]' });
    const second = await sendHttpExport({ url, body: '[]' });
    expect([first.result.code, second.result.code]).toEqual(['success', 'success']);
    expect(second.body!.toString()).toBe('{"partialSuccess":{}}');
    // Node >= 19's global agent keeps sockets alive (18's does not).
    const keepAlive = (globalAgent as Agent & { keepAlive?: boolean }).keepAlive === true;
    expect(connections()).toBe(keepAlive ? 1 : 2);
  });
});
