/** A gRPC method as spans name and describe it. */
export interface GrpcMethod {
  /** `package.Service/Method`: the span name (OpenTelemetry's RPC span name). */
  readonly name: string;
  /** `package.Service` (`rpc.service`). */
  readonly service: string;
  /** `Method` (`rpc.method`). */
  readonly method: string;
}

/** Splits a method path as grpc-js gives it (`/package.Service/Method`). */
export function grpcMethod(path: string): GrpcMethod {
  const name = path.startsWith('/') ? path.slice(1) : path;
  const slash = name.lastIndexOf('/');
  return slash === -1 ? { name, service: '', method: name } : { name, service: name.slice(0, slash), method: name.slice(slash + 1) };
}
