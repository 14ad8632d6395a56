// Public surface of @tracewell/http-client.
export { traceHttpClients } from './trace-http-clients';
export type { TraceHttpClientsOptions } from './trace-http-clients';
