import { isIPv4, isIPv6 } from 'node:net';
import type { Attributes } from '@tracewell/core';
import type { ZipkinEndpoint } from './zipkin-model';

// IPv4-mapped IPv6 (::ffff:10.0.0.1): zipkin2-api.yaml asks for such addresses in `ipv4`.
const MAPPED_IPV4 = /^::ffff:([0-9]{1,3}(?:\.[0-9]{1,3}){3})$/i;

function portOf(value: unknown): number | undefined {
  const port = typeof value === 'string' && /^[0-9]{1,5}$/.test(value) ? Number(value) : value;
  // The API: "Please don't set to zero". Out-of-range values are not ports at all.
  return typeof port === 'number' && Number.isInteger(port) && port > 0 && port <= 65535 ? port : undefined;
}

/**
 * The peer of a CLIENT span from OpenTelemetry's `server.address` / `server.port` attributes:
 * an IP literal goes in `ipv4` or `ipv6`, anything else is a host name and becomes the
 * `serviceName` (Zipkin's dependency graph then shows the callee even when it is not traced).
 * `undefined` when there is no address.
 */
export function remoteEndpointFromAttributes(attributes: Attributes): ZipkinEndpoint | undefined {
  const raw = attributes['server.address'];
  if (typeof raw !== 'string') return undefined;
  // URL-style brackets ([::1]) and zone ids (fe80::1%eth0) are not part of the address literal.
  let address = raw.trim();
  if (address.startsWith('[') && address.endsWith(']')) address = address.slice(1, -1);
  const zone = address.indexOf('%');
  const unzoned = zone > 0 && isIPv6(address) ? address.slice(0, zone) : address;
  if (unzoned === '') return undefined;

  const endpoint: ZipkinEndpoint = {};
  const mapped = MAPPED_IPV4.exec(unzoned);
  if (isIPv4(unzoned)) endpoint.ipv4 = unzoned;
  else if (mapped !== null && isIPv4(mapped[1]!)) endpoint.ipv4 = mapped[1]!;
  else if (isIPv6(unzoned)) endpoint.ipv6 = unzoned.toLowerCase();
  else endpoint.serviceName = unzoned.toLowerCase(); // host names are case-insensitive; Zipkin lower-cases service names
  const port = portOf(attributes['server.port']);
  if (port !== undefined) endpoint.port = port;
  return endpoint;
}
