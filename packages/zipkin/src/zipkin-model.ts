// The Zipkin v2 JSON model (openzipkin/zipkin-api, zipkin2-api.yaml: definitions Span, Endpoint,
// Annotation, Tags). Only the members Tracewell writes are listed; test/zipkin2-span.schema.json
// is the full definition the tests validate against.

/**
 * The network context of a node in the service graph: the local service, or the peer of an RPC.
 *
 * @example
 * const server: ZipkinEndpoint = { serviceName: 'inventory', port: 8080 };
 * const peer: ZipkinEndpoint = { ipv4: '10.0.0.7', port: 5432 };
 */
export interface ZipkinEndpoint {
  /** Lower-case service name (or, for a peer known only by host, its host name). */
  serviceName?: string;
  /** IPv4 address literal. */
  ipv4?: string;
  /** IPv6 address literal (IPv4-mapped addresses go in `ipv4`, as the API asks). */
  ipv6?: string;
  /** Listen port (local) or the peer's port (remote). Never 0. */
  port?: number;
}

/**
 * A timestamped event on a span.
 *
 * @example
 * const annotation: ZipkinAnnotation = { timestamp: 1502787600000000, value: 'cache miss' };
 */
export interface ZipkinAnnotation {
  /** Epoch microseconds. */
  timestamp: number;
  /** The event: its name, followed by `: {json}` of its attributes when it has any. */
  value: string;
}

/**
 * One span in Zipkin's v2 JSON format, as POSTed to `/api/v2/spans`.
 *
 * @example
 * const span: ZipkinSpan = {
 *   traceId: '4e441824ec2b6a44ffdc9bb9a6453df3', id: 'ffdc9bb9a6453df3', name: 'get /cart',
 *   kind: 'SERVER', timestamp: 1502787600000000, duration: 150000,
 *   localEndpoint: { serviceName: 'checkout' }, tags: { 'http.route': '/cart' },
 * };
 */
export interface ZipkinSpan {
  /** 32 lowercase hex characters (Tracewell's trace ids are always 128-bit). */
  traceId: string;
  /** The parent's span id; absent on a root span. */
  parentId?: string;
  /** 16 lowercase hex characters. */
  id: string;
  /** Absent for local (INTERNAL) spans. */
  kind?: 'CLIENT' | 'SERVER' | 'PRODUCER' | 'CONSUMER';
  /** Lower-case operation name; absent when the span has none. */
  name?: string;
  /** Start, in epoch microseconds. */
  timestamp: number;
  /** Microseconds, at least 1. */
  duration: number;
  /** B3 debug: store this span whatever the collector's sampling policy. */
  debug?: true;
  localEndpoint?: ZipkinEndpoint;
  remoteEndpoint?: ZipkinEndpoint;
  annotations?: ZipkinAnnotation[];
  /** Every value is a string. */
  tags?: Record<string, string>;
}
