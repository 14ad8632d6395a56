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
