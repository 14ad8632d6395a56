import { request } from 'node:http';

/** A response as the suites read it. */
export interface TestResponse {
  status: number;
  body: unknown;
}

/** GET with plain Node http (no instrumentation involved), JSON body parsed when possible. */
export function get(url: string, headers: Record<string, string | string[]> = {}): Promise<TestResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // not JSON: keep the text
        }
        resolve({ status: res.statusCode ?? 0, body });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/** Sends a GET and destroys the connection after `ms`, before any response. */
export function getAndAbort(url: string, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const req = request(url, { agent: false });
    req.on('error', () => resolve());
    req.on('close', () => resolve());
    req.end();
    setTimeout(() => req.destroy(), ms);
  });
}
