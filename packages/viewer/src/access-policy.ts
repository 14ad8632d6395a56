import { isIP } from 'node:net';

/** Why a request was refused: answered with 403 and counted. */
export type Refusal = 'host' | 'origin';

/** The decision for one request: refused, or allowed with the CORS origin to answer (if any). */
export type AccessDecision = { readonly refused: Refusal; readonly message: string } | { readonly refused: undefined; readonly corsOrigin: string | undefined };

/** Whether `host` (an interface to listen on) is a loopback address or name. */
export function isLoopbackHost(host: string): boolean {
  const name = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  if (isIP(name) === 4) return name.startsWith('127.');
  return name === '::1' || name === '0:0:0:0:0:0:0:1';
}

/** The host name of a Host header (no port, no brackets, no trailing dot), lowercased. */
function hostName(header: string): string {
  const value = header.trim().toLowerCase();
  const name = value.startsWith('[') ? value.slice(1, value.indexOf(']') === -1 ? undefined : value.indexOf(']')) : value.replace(/:\d*$/, '');
  return name.endsWith('.') ? name.slice(0, -1) : name;
}

/**
 * Who may use the viewer. Bound to loopback, it answers only requests whose `Host` names this
 * machine (a loopback address or a localhost name), which defeats DNS rebinding: a page on
 * `evil.example` whose name is made to resolve to 127.0.0.1 still sends `Host: evil.example`.
 * A request from a browser page (it carries `Origin`) is answered only for the viewer's own
 * page or an origin listed in `allowOrigins`, and only those get CORS headers. OTLP and Zipkin
 * exporters send no `Origin` and are unaffected.
 */
export class AccessPolicy {
  private readonly anyOrigin: boolean;
  private readonly origins: ReadonlySet<string>;

  /**
   * @param checkHost - refuse Hosts that do not name this machine (on when bound to loopback)
   * @param allowOrigins - origins (`http://localhost:3000`) whose pages may read and write, or `*`
   */
  constructor(
    private readonly checkHost: boolean,
    allowOrigins: readonly string[],
  ) {
    this.anyOrigin = allowOrigins.includes('*');
    this.origins = new Set(allowOrigins.filter((o) => o !== '*'));
  }

  /** Decides for a request with these `Host` and `Origin` headers. */
  decide(host: string | undefined, origin: string | undefined): AccessDecision {
    if (this.checkHost && host !== undefined && !isLoopbackHost(hostName(host))) {
      return { refused: 'host', message: 'this viewer answers only requests addressed to localhost or a loopback address' };
    }
    if (origin === undefined) return { refused: undefined, corsOrigin: undefined };
    const normalized = origin.trim().toLowerCase();
    // The viewer's own page: same scheme, host and port as the request.
    if (host !== undefined && normalized === `http://${host.trim().toLowerCase()}`) return { refused: undefined, corsOrigin: undefined };
    if (this.anyOrigin) return { refused: undefined, corsOrigin: '*' };
    if (this.origins.has(normalized)) return { refused: undefined, corsOrigin: origin.trim() };
    return { refused: 'origin', message: 'requests from other web pages are refused (start the viewer with --allow-origin to allow one)' };
  }
}

/** Validates `allowOrigins`: each `*` or an origin such as `http://localhost:3000`. Throws naming the option. */
export function resolveAllowOrigins(value: unknown, name: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new TypeError(`${name}: expected an array of origins (e.g. ["http://localhost:3000"]) or ["*"]`);
  return value.map((item: unknown) => {
    if (item === '*') return item;
    let origin: string | undefined;
    try {
      origin = typeof item === 'string' ? new URL(item).origin : undefined;
    } catch {
      origin = undefined;
    }
    if (origin === undefined || origin === 'null' || origin !== String(item).replace(/\/$/, '').toLowerCase()) {
      throw new TypeError(`${name}: expected an origin such as http://localhost:3000 (scheme, host and port only) or *, got ${JSON.stringify(item)}`);
    }
    return origin;
  });
}
