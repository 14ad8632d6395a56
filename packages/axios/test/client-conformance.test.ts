import { runClientConformance } from '@tracewell/conformance';
import axios from 'axios';
import { traceAxios } from '../src';

// The client conformance suite (packages/conformance/src/client-suite.ts), which the clients
// traced by @tracewell/http-client run too: traceAxios on an instance from axios.create(),
// axios's default adapter in Node (http, redirects followed by follow-redirects, each hop
// checked against propagateTo by our beforeRedirect guard). The fetch adapter is not run: its
// redirects are followed out of axios's sight (documented on traceAxios).
runClientConformance({
  name: 'axios (traceAxios, http adapter)',
  followsRedirects: true,
  acceptsUserinfo: true,
  async setUp(tracing) {
    const instance = axios.create();
    const eject = tracing === undefined ? undefined : traceAxios(instance, tracing);
    return {
      async get(url, init = {}) {
        try {
          const res = await instance.get<string>(url, { headers: init.headers, timeout: init.timeoutMs, signal: init.signal, responseType: 'text', transformResponse: (data: string) => data });
          return { status: res.status, body: res.data };
        } catch (error) {
          // axios rejects 4xx/5xx: the suite wants the status, as for the other clients.
          if (axios.isAxiosError(error) && error.response !== undefined) return { status: error.response.status, body: String(error.response.data) };
          throw error;
        }
      },
      async tearDown() {
        eject?.();
      },
    };
  },
});

// The suite's baseline is the instance untraced: eject() must really remove the tracing.
it('after eject(), the instance sends what an untraced one sends: no trace headers', async () => {
  const { createServer } = await import('node:http');
  const { createTracer } = await import('@tracewell/core');
  const received: Array<string | undefined> = [];
  const server = createServer((req, res) => {
    received.push(req.headers.traceparent as string | undefined);
    res.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/x`;
  const tracer = createTracer({ spanProcessors: [], sampler: 'always_on' });
  try {
    const instance = axios.create();
    const eject = traceAxios(instance, { tracer });
    await tracer.startActiveSpan('caller', () => instance.get(url));
    eject();
    await tracer.startActiveSpan('caller', () => instance.get(url));
    expect(received[0]).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[13]$/);
    expect(received[1]).toBeUndefined();
  } finally {
    server.closeAllConnections(); // the clients' keep-alive sockets
    await new Promise((resolve) => server.close(resolve));
  }
});
