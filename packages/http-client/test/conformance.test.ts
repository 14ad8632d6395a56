import { createServer, get as httpGet, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTracer } from '@tracewell/core';
import { runClientConformance, type ClientAdapter, type ClientGetInit, type ConformanceClient } from '@tracewell/conformance';
import { Agent, fetch as undiciFetch, interceptors, Pool, request as undiciRequest, type Dispatcher } from 'undici';
import { traceHttpClients } from '../src';

// The client conformance suite (packages/conformance/src/client-suite.ts) for every client
// traceHttpClients covers, each traced by traceHttpClients alone, turned on in setUp and off
// in tearDown. On Node 20 the node:http cases go through the `_implicitHeader` hook, on 22+
// through `http.client.request.created`: run this file on both.
//
// https.get is not run: it needs a server certificate, and Node cannot make an X.509
// certificate by itself (node:crypto makes keys, not certificates); https requests are
// ClientRequests on the same channels as http ones.

/** The signal of a call: the caller's, a deadline (`AbortSignal.timeout`), both, or none. */
function signalOf(init: ClientGetInit): AbortSignal | undefined {
  const signals = [init.signal, init.timeoutMs === undefined ? undefined : AbortSignal.timeout(init.timeoutMs)].filter((s): s is AbortSignal => s !== undefined);
  return signals.length === 0 ? undefined : signals.length === 1 ? signals[0] : AbortSignal.any(signals);
}

/**
 * An adapter for a client of the process: `traceHttpClients(tracing)` while set up, with
 * `get` the client's call and `release` what to free at tear down.
 */
function processWide(
  name: string,
  traits: Pick<ClientAdapter, 'followsRedirects' | 'acceptsUserinfo' | 'abortCaseOpen'>,
  make: () => { get: ConformanceClient['get']; release?: () => Promise<void> },
): ClientAdapter {
  return {
    name,
    ...traits,
    async setUp(tracing) {
      const off = tracing === undefined ? undefined : traceHttpClients(tracing);
      const client = make();
      return {
        get: client.get,
        async tearDown() {
          off?.();
          await client.release?.();
        },
      };
    },
  };
}

/** undici's `request` on `dispatcher` (the global one when undefined). */
function undiciRequestGet(dispatcher?: Dispatcher): ConformanceClient['get'] {
  return async (url, init = {}) => {
    const res = await undiciRequest(url, { headers: init.headers, signal: signalOf(init), ...(dispatcher === undefined ? {} : { dispatcher }) });
    return { status: res.statusCode, body: await res.body.text() };
  };
}

const adapters: ClientAdapter[] = [
  processWide('global fetch', { followsRedirects: true, acceptsUserinfo: false }, () => ({
    async get(url, init = {}) {
      const res = await fetch(url, { headers: init.headers, signal: signalOf(init) });
      return { status: res.status, body: await res.text() };
    },
  })),
  processWide("undici's fetch", { followsRedirects: true, acceptsUserinfo: false }, () => ({
    async get(url, init = {}) {
      const res = await undiciFetch(url, { headers: init.headers, signal: signalOf(init) });
      return { status: res.status, body: await res.text() };
    },
  })),
  processWide("undici's request", { followsRedirects: false, acceptsUserinfo: true }, () => ({ get: undiciRequestGet() })),
  // undici's request does not follow redirects unless composed with its redirect interceptor:
  // each hop is then a request of its own, checked against propagateTo on its own.
  // Open: once, in a CI run on Node 22 under load, one aborted call through the redirect
  // interceptor was three undici requests (three spans, all aborted); not reproduced since in 14
  // runs with and without load. Skipped, and named, until it is understood.
  processWide("undici's request with interceptors.redirect", { followsRedirects: true, acceptsUserinfo: true, abortCaseOpen: 'an abort was once seen as three undici requests' }, () => {
    const agent = new Agent();
    return { get: undiciRequestGet(agent.compose(interceptors.redirect({ maxRedirections: 5 }))), release: () => agent.close() };
  }),
  // A Pool serves one origin: one per origin the suite calls, `pool.request({ path })` on it.
  // The URL's user name and password would be the adapter's to drop, not the client's: not run.
  processWide('an undici Pool (pool.request)', { followsRedirects: false, acceptsUserinfo: false }, () => {
    const pools = new Map<string, Pool>();
    return {
      async get(url, init = {}) {
        const { origin, pathname, search } = new URL(url);
        let pool = pools.get(origin);
        if (pool === undefined) pools.set(origin, (pool = new Pool(origin)));
        const res = await pool.request({ method: 'GET', path: `${pathname}${search}`, headers: init.headers, signal: signalOf(init) });
        return { status: res.statusCode, body: await res.body.text() };
      },
      release: async () => {
        await Promise.all([...pools.values()].map((pool) => pool.destroy()));
      },
    };
  }),
  // http.get with the global agent (keep-alive on Node 20 and later); the deadline is the
  // `timeout` option (socket idle time) and destroy().
  processWide('http.get', { followsRedirects: false, acceptsUserinfo: true }, () => ({
    get: (url, init = {}) =>
      new Promise((resolve, reject) => {
        const request = httpGet(url, { headers: init.headers, signal: init.signal, timeout: init.timeoutMs }, (res: IncomingMessage) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (body += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          res.on('error', reject);
        });
        request.on('timeout', () => request.destroy(Object.assign(new Error(`no response within ${init.timeoutMs} ms`), { code: 'ETIMEDOUT' })));
        request.on('error', reject);
      }),
  })),
];

for (const adapter of adapters) runClientConformance(adapter);

// The suite's baselines are these clients untraced: the off switch must really turn tracing off.
it('after the off switch, every client sends what it sends untraced: no trace headers', async () => {
  const received: Array<string | undefined> = [];
  const server = createServer((req, res) => {
    received.push(req.headers.traceparent as string | undefined);
    res.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/x`;
  const tracer = createTracer({ spanProcessors: [], sampler: 'always_on' });
  try {
    for (const adapter of adapters) {
      const traced = await adapter.setUp({ tracer });
      await tracer.startActiveSpan('caller', () => traced.get(url));
      await traced.tearDown();
      const untraced = await adapter.setUp(undefined);
      await tracer.startActiveSpan('caller', () => untraced.get(url));
      await untraced.tearDown();
    }
    expect(received.filter((_, i) => i % 2 === 0).every((header) => /^00-[0-9a-f]{32}-[0-9a-f]{16}-0[13]$/.test(header ?? ''))).toBe(true);
    expect(received.filter((_, i) => i % 2 === 1)).toEqual(adapters.map(() => undefined));
  } finally {
    server.closeAllConnections(); // the clients' keep-alive sockets
    await new Promise((resolve) => server.close(resolve));
  }
});
