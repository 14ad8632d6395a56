import { SpanStatusCode, type Span } from '@tracewell/core';
import type { GrpcMethod } from './method-path';

// OpenTelemetry's RPC semantic conventions, for gRPC.
export const RPC_SYSTEM = 'rpc.system';
export const RPC_SERVICE = 'rpc.service';
export const RPC_METHOD = 'rpc.method';
export const RPC_GRPC_STATUS_CODE = 'rpc.grpc.status_code';
export const SERVER_ADDRESS = 'server.address';
export const SERVER_PORT = 'server.port';
export const NETWORK_PEER_ADDRESS = 'network.peer.address';
export const NETWORK_PEER_PORT = 'network.peer.port';
export const ERROR_TYPE = 'error.type';

/** gRPC status names by code, for `error.type` and messages. */
export const STATUS_NAMES = [
  'OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS', 'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE', 'UNIMPLEMENTED', 'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS', 'UNAUTHENTICATED',
] as const;

// OpenTelemetry's server rule: only the codes that say the server failed are errors there.
const SERVER_ERRORS = new Set([2, 4, 12, 13, 14, 15]); // UNKNOWN, DEADLINE_EXCEEDED, UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS

/** The attributes every gRPC span starts with. */
export function startAttributes(method: GrpcMethod): Record<string, string> {
  return { [RPC_SYSTEM]: 'grpc', [RPC_SERVICE]: method.service, [RPC_METHOD]: method.method };
}

/** `host:port` of a peer or target as grpc-js writes them (`ipv4:1.2.3.4:5`, `dns:///h:5`, `dns:h:5`, `[::1]:5`). */
export function hostAndPort(address: string | undefined): { host: string; port: number | undefined } | undefined {
  if (typeof address !== 'string' || address === '') return undefined;
  const bare = address.replace(/^(?:dns:(?:\/\/[^/]*\/)?|ipv4:|ipv6:|unix:(?:\/\/(?=\/))?)/, '').split(',')[0]!;
  const match = /^\[([^\]]+)\](?::(\d+))?$/.exec(bare) ?? /^([^:]+)(?::(\d+))?$/.exec(bare);
  if (match === null) return bare.includes(':') ? { host: bare, port: undefined } : undefined;
  return { host: match[1]!, port: match[2] === undefined ? undefined : Number(match[2]) };
}

/**
 * Records how a call ended and ends the span: `rpc.grpc.status_code`, and status ERROR with
 * `error.type` (the status name) for the codes the side counts as errors (a client: any code but
 * OK; a server: only those that mean the server failed).
 */
export function finishRpcSpan(span: Span, side: 'client' | 'server', code: number, details: string | undefined): void {
  if (span.isRecording()) {
    span.setAttribute(RPC_GRPC_STATUS_CODE, code);
    const failed = side === 'client' ? code !== 0 : SERVER_ERRORS.has(code);
    if (failed) {
      span.setAttribute(ERROR_TYPE, STATUS_NAMES[code] ?? String(code));
      span.setStatus(details === undefined || details === '' ? { code: SpanStatusCode.ERROR } : { code: SpanStatusCode.ERROR, message: details });
    }
  }
  span.end();
}
