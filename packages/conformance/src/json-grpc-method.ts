/**
 * A grpc-js method definition whose messages are JSON, for tests and benchmarks that need a
 * gRPC service without protobuf. An empty message reads as `{}`.
 */
export interface JsonGrpcMethod<Req, Res> {
  readonly path: string;
  readonly requestStream: boolean;
  readonly responseStream: boolean;
  requestSerialize(value: Req): Buffer;
  requestDeserialize(bytes: Buffer): Req;
  responseSerialize(value: Res): Buffer;
  responseDeserialize(bytes: Buffer): Res;
}

const serialize = (value: unknown): Buffer => Buffer.from(JSON.stringify(value ?? {}));
const deserialize = (bytes: Buffer): never => (bytes.length === 0 ? {} : JSON.parse(bytes.toString('utf8'))) as never;

/** The definition of method `path` (`/package.Service/Method`); unary unless a stream flag says otherwise. */
export function jsonGrpcMethod<Req = unknown, Res = unknown>(path: string, streams: { requestStream?: boolean; responseStream?: boolean } = {}): JsonGrpcMethod<Req, Res> {
  return {
    path,
    requestStream: streams.requestStream === true,
    responseStream: streams.responseStream === true,
    requestSerialize: serialize,
    requestDeserialize: deserialize,
    responseSerialize: serialize,
    responseDeserialize: deserialize,
  };
}
