// QueueService's contract, shared by the queue service (apps/queue.ts) and its callers: one
// unary gRPC method, `/taskqueue.QueueService/Report`, with JSON messages instead of protobuf
// (a grpc-js service definition is just paths and serializers), and a small typed client.
import { Client, credentials, Metadata, type CallOptions, type Interceptor, type ServiceDefinition } from '@grpc/grpc-js';

export const REPORTS = ['pending', 'leased'] as const;
export type ReportKind = (typeof REPORTS)[number];

/** What `QueueService.Report` is asked. */
export interface ReportRequest {
  queue: string;
  report: ReportKind;
}

/** What it answers. */
export interface Report {
  queue: string;
  report: ReportKind;
  tasks: number;
  oldestSeconds: number;
}

export const isReportKind = (value: unknown): value is ReportKind => (REPORTS as readonly unknown[]).includes(value);

const json = {
  serialize: (value: unknown): Buffer => Buffer.from(JSON.stringify(value)),
  deserialize: (bytes: Buffer): never => JSON.parse(bytes.toString('utf8')) as never,
};

/** The service definition grpc-js serves (`server.addService`) and calls. */
export const QUEUE_SERVICE = {
  Report: {
    path: '/taskqueue.QueueService/Report',
    requestStream: false,
    responseStream: false,
    requestSerialize: json.serialize as (request: ReportRequest) => Buffer,
    requestDeserialize: json.deserialize as (bytes: Buffer) => Partial<ReportRequest>, // whatever the caller sent
    responseSerialize: json.serialize as (response: Report) => Buffer,
    responseDeserialize: json.deserialize as (bytes: Buffer) => Report,
  },
} satisfies ServiceDefinition;

export interface QueueClient {
  /** One `QueueService.Report` call; rejects with the gRPC error (`code`, `details`). */
  report(request: ReportRequest, options?: CallOptions): Promise<Report>;
  close(): void;
}

export interface QueueClientOptions {
  /** The channel's interceptors, e.g. `[grpcClientInterceptor({ target })]`. */
  interceptors?: Interceptor[];
}

/** A client of the queue service at `target` (`127.0.0.1:50051`), plaintext. */
export function createQueueClient(target: string, options: QueueClientOptions = {}): QueueClient {
  const client = new Client(target, credentials.createInsecure(), { interceptors: options.interceptors ?? [] });
  const { path, requestSerialize, responseDeserialize } = QUEUE_SERVICE.Report;
  return {
    report: (request, callOptions = {}) =>
      new Promise<Report>((resolve, reject) => {
        client.makeUnaryRequest(path, requestSerialize, responseDeserialize, request, new Metadata(), callOptions, (error, response) =>
          error ? reject(error) : resolve(response!),
        );
      }),
    close: () => client.close(),
  };
}
