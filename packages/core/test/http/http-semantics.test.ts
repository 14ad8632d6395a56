import { createServer, request, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { currentSpan, SpanKind, traceRequestListener } from '../../src';
import { ClientTracing, redactUrl } from '../../src/instrumentation';
import { normalizeMethod } from '../../src/http/attribute-names';
import { memoryTracer } from '../support/memory-tracer';

describe('HTTP semantics', () => {
  it('normalizes methods to the known set, keeping unusual originals aside', () => {
    expect(normalizeMethod('GET')).toEqual({ method: 'GET' });
    expect(normalizeMethod('get')).toEqual({ method: 'GET', original: 'get' });
    expect(normalizeMethod('PROPFIND')).toEqual({ method: '_OTHER', original: 'PROPFIND' });
    expect(normalizeMethod(undefined)).toEqual({ method: '_OTHER', original: '' });
  });

  it('redacts credentials, query and fragment from URLs', () => {
    expect(redactUrl(new URL('https://u:p@api.example.com:8443/a/b?token=x#frag'))).toBe('https://api.example.com:8443/a/b');
  });

  it('ClientTracing: a span and headers for a hand-built request (the Go NewRemoteChild move)', () => {
    const { tracer, exporter } = memoryTracer();
    const client = new ClientTracing({ tracer, propagateTo: [/\.internal$/] }, 'test');
    const inside = client.start('GET', 'http://[::1]:8080/x');
    const outside = client.start('PROPFIND', 'https://example.com/x');
    expect(inside.headers).toBeUndefined(); // ::1 is not *.internal
    expect(client.start('GET', 'http://users.internal/u').headers?.traceparent).toMatch(/^00-/);
    // The same rule for each redirect hop a client follows itself.
    expect([client.limitsPropagation, client.mayPropagateTo('https://a.internal:8443/x'), client.mayPropagateTo('http://[::1]/'), client.mayPropagateTo('not a url')]).toEqual([true, true, false, false]);
    expect([new ClientTracing({ tracer }, 'test').limitsPropagation, new ClientTracing({ tracer }, 'test').mayPropagateTo('not a url')]).toEqual([false, true]);
    client.finish(inside.span, 204);
    client.finish(outside.span, undefined, Object.assign(new Error('reset'), { code: 'ECONNRESET' }));
    const [a, b] = exporter.getFinishedSpans();
    expect(a!.attributes).toMatchObject({ 'server.address': '::1', 'server.port': 8080, 'http.response.status_code': 204 });
    expect(b!.name).toBe('HTTP');
    expect(b!.attributes).toMatchObject({ 'http.request.method': '_OTHER', 'http.request.method_original': 'PROPFIND', 'server.port': 443, 'error.type': 'ECONNRESET' });
  });

  it('ClientTracing: a URL given as a function is built only for a recorded span or propagateTo', () => {
    const calls: string[] = [];
    const url = (value: string) => () => {
      calls.push(value);
      return value;
    };
    const unsampled = memoryTracer({ sampler: 'always_off' });
    const plain = new ClientTracing({ tracer: unsampled.tracer }, 'test').start('GET', url('http://a.internal/unsampled'));
    expect(plain.span.isRecording()).toBe(false);
    expect(plain.headers?.traceparent).toMatch(/-0[02]$/); // propagated, not sampled
    const limited = new ClientTracing({ tracer: unsampled.tracer, propagateTo: ['a.internal'] }, 'test');
    expect(limited.start('GET', url('http://a.internal/limited')).headers?.traceparent).toMatch(/^00-/);
    expect(limited.start('GET', url('http://b.internal/limited')).headers).toBeUndefined();
    const { tracer, exporter } = memoryTracer();
    const sampled = new ClientTracing({ tracer }, 'test');
    sampled.finish(sampled.start('GET', url('http://a.internal/sampled?q=1')).span, 200);
    // A URL function that throws costs the span its URL attributes, never the call.
    const failing = sampled.start('GET', () => {
      throw new Error('no URL');
    });
    sampled.finish(failing.span, 200);
    expect(calls).toEqual(['http://a.internal/limited', 'http://b.internal/limited', 'http://a.internal/sampled?q=1']);
    const [first, second] = exporter.getFinishedSpans();
    expect(first!.attributes).toMatchObject({ 'url.full': 'http://a.internal/sampled', 'server.address': 'a.internal', 'server.port': 80 });
    expect(second!.attributes['url.full']).toBeUndefined();
    expect(failing.headers?.traceparent).toMatch(/-0[13]$/);
  });

  it('traceRequestListener traces a plain Node server (the Go HTTPHandler move)', async () => {
    const { tracer, exporter } = memoryTracer();
    const server: Server = createServer(
      traceRequestListener((_req, res) => res.end(currentSpan()?.spanContext().traceId), { tracer, spanName: (request) => `${request.method} /plain` }),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      const body = await new Promise<string>((resolve, reject) => {
        const req = request({ port, host: '127.0.0.1', path: '/plain?x=1', headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', host: '[::1]:9999' } }, (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve(text));
        });
        req.on('error', reject);
        req.end();
      });
      expect(body).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
      for (let i = 0; i < 50 && exporter.getFinishedSpans().length === 0; i++) await new Promise((r) => setTimeout(r, 5));
      const [span] = exporter.getFinishedSpans();
      expect(span!.name).toBe('GET /plain');
      expect(span!.kind).toBe(SpanKind.SERVER);
      expect(span!.attributes).toMatchObject({ 'url.path': '/plain', 'server.address': '::1', 'server.port': 9999 });
    } finally {
      server.close();
    }
  });
  it('traceRequestListener: an absolute-form target records its path, never its userinfo; ignore and recordQuery see the same parse', async () => {
    const { tracer, exporter } = memoryTracer();
    const server: Server = createServer(traceRequestListener((_req, res) => res.end('ok'), { tracer, ignore: ['/healthz'], recordQuery: true }));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    // Node's clients never write absolute-form targets, so the request line is written by hand.
    const send = (requestLine: string) =>
      new Promise<void>((resolve, reject) => {
        const socket = connect(port, '127.0.0.1', () => socket.write(`${requestLine}\r\nhost: 127.0.0.1:${port}\r\nconnection: close\r\n\r\n`));
        socket.on('error', reject).on('close', () => resolve()).resume();
      });
    try {
      await send('GET http://example.test/healthz HTTP/1.1');
      await send('GET http://user:pass@example.test:8081/x?q=1&token=T0K HTTP/1.1');
      for (let i = 0; i < 50 && exporter.getFinishedSpans().length === 0; i++) await new Promise((r) => setTimeout(r, 5));
      const spans = exporter.getFinishedSpans();
      expect(spans).toHaveLength(1);
      expect(spans[0]!.attributes).toMatchObject({ 'url.path': '/x', 'url.query': 'q=1&token=REDACTED', 'server.address': 'example.test', 'server.port': 8081 });
      expect(JSON.stringify(spans[0]!.attributes)).not.toMatch(/user|pass|T0K/);
    } finally {
      server.close();
    }
  });
});
