import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { ClientRequest } from 'node:http';
import { Duplex } from 'node:stream';

const CREATED = 'http.client.request.created';

/**
 * True when this Node publishes `http.client.request.created` (22 and later). Found out by
 * creating one request on a socket of our own that never connects anywhere, not from version
 * numbers.
 */
export function publishesRequestCreated(): boolean {
  let seen = false;
  const probe = (): void => {
    seen = true;
  };
  subscribe(CREATED, probe);
  try {
    const request = new ClientRequest({ host: '127.0.0.1', port: 9, agent: false, createConnection: () => new Duplex({ read() {}, write(_chunk, _encoding, done) { done(); } }) });
    request.on('error', () => undefined);
    request.destroy();
  } catch {
    // Not constructible this way: treat as absent and use the hook.
  } finally {
    unsubscribe(CREATED, probe);
  }
  return seen;
}

type ImplicitHeader = (this: ClientRequest) => void;

/**
 * Node 20 only: its http client publishes `http.client.request.start` after the headers are
 * written, too late to add trace headers. This wraps one internal method,
 * `ClientRequest.prototype._implicitHeader` (which `end()`, `write()` and `flushHeaders()` call
 * to write the headers), to call `onBeforeHeaders(request)` first. Nothing else of node:http
 * is touched; requests whose headers are written in the constructor (raw header arrays,
 * `Expect: 100-continue`) are traced from the response on, without trace headers. Returns the
 * undo, which restores the method only if nobody wrapped it after us.
 */
export function hookHeaderWrite(onBeforeHeaders: (request: ClientRequest) => void): () => void {
  const proto = ClientRequest.prototype as unknown as { _implicitHeader?: ImplicitHeader };
  const original = proto._implicitHeader;
  if (typeof original !== 'function') return () => undefined;
  const wrapped: ImplicitHeader = function (this: ClientRequest) {
    try {
      onBeforeHeaders(this);
    } catch {
      // The request goes on untraced.
    }
    return original.call(this);
  };
  proto._implicitHeader = wrapped;
  return () => {
    if (proto._implicitHeader === wrapped) proto._implicitHeader = original;
  };
}
