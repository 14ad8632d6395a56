// Public surface of @tracewell/axios.
export { traceAxios } from './trace-axios';
export type { TraceAxiosOptions } from './trace-axios';
