// Public surface of @tracewell/grpc.
export { grpcClientInterceptor } from './client-interceptor';
export type { GrpcClientCallInfo, GrpcClientTracingOptions } from './client-interceptor';
export { grpcServerInterceptor } from './server-interceptor';
export type { GrpcServerCallInfo, GrpcServerStatus, GrpcServerTracingOptions } from './server-interceptor';
export { readGrpcTraceBin, GRPC_TRACE_BIN } from './grpc-trace-bin';
