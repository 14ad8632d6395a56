import { connect } from 'node:net';

/**
 * Sends a request whose request line is written by hand (e.g. an absolute-form target, which
 * Node's and axios's clients never produce) to the server at `url`, over a fresh connection,
 * and resolves with the response's status code once the server closes it.
 *
 * @example
 * await rawRequest(server.url, 'GET http://user:pass@example.test/x HTTP/1.1', { host: 'example.test' });
 */
export function rawRequest(url: string, requestLine: string, headers: Readonly<Record<string, string>> = {}): Promise<number> {
  const { hostname, port } = new URL(url);
  const head = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('');
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname.replace(/^\[(.*)\]$/, '$1'), () => {
      socket.write(`${requestLine}\r\n${head}connection: close\r\n\r\n`);
    });
    let received = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(received);
      if (status === null) reject(new Error(`no HTTP response to ${requestLine}`));
      else resolve(Number(status[1]));
    });
  });
}
