import fc from 'fast-check';
import { parseAuthority, parseRequestTarget } from '../../src/http/request-target';

const none = { host: undefined, port: undefined };

describe('parseRequestTarget (RFC 9112 §3.2)', () => {
  it.each([
    // origin-form
    [undefined, { path: '/', query: undefined, authority: undefined, scheme: undefined }],
    ['/', { path: '/', query: undefined, authority: undefined, scheme: undefined }],
    ['/users/42?token=secret', { path: '/users/42', query: 'token=secret', authority: undefined, scheme: undefined }],
    ['/x?', { path: '/x', query: undefined, authority: undefined, scheme: undefined }],
    ['/x?a=1#frag', { path: '/x', query: 'a=1', authority: undefined, scheme: undefined }],
    ['/x#frag?no', { path: '/x', query: undefined, authority: undefined, scheme: undefined }],
    ['/a@b:c', { path: '/a@b:c', query: undefined, authority: undefined, scheme: undefined }], // '@' and ':' are pchars
    ['//evil/x', { path: '//evil/x', query: undefined, authority: undefined, scheme: undefined }], // an absolute-path, not an authority
    // absolute-form
    ['http://user:pass@example.test:8080/x?token=T0K', { path: '/x', query: 'token=T0K', authority: { host: 'example.test', port: 8080 }, scheme: 'http' }],
    ['http://h', { path: '/', query: undefined, authority: { host: 'h', port: undefined }, scheme: 'http' }],
    ['http://u:p@h?q=/x', { path: '/', query: 'q=/x', authority: { host: 'h', port: undefined }, scheme: 'http' }],
    ['HTTPS://U@H/x', { path: '/x', query: undefined, authority: { host: 'H', port: undefined }, scheme: 'https' }],
    ['http://a@b@c/x', { path: '/x', query: undefined, authority: { host: 'c', port: undefined }, scheme: 'http' }], // last '@', as WHATWG URL
    ['https://[::1]:99/a#frag', { path: '/a', query: undefined, authority: { host: '::1', port: 99 }, scheme: 'https' }],
    ['http://u@[::1]/a', { path: '/a', query: undefined, authority: { host: '::1', port: undefined }, scheme: 'http' }],
    ['http://h:/x', { path: '/x', query: undefined, authority: { host: 'h', port: undefined }, scheme: 'http' }],
    ['http://h:99999/x', { path: '/x', query: undefined, authority: none, scheme: 'http' }],
    ['http://[::1/x', { path: '/x', query: undefined, authority: none, scheme: 'http' }],
    ['http:///x', { path: '/x', query: undefined, authority: none, scheme: 'http' }],
    ['http:/x?y', { path: '/x', query: 'y', authority: undefined, scheme: 'http' }], // path-absolute, no authority
    // asterisk-form and authority-form
    ['*', { path: '*', query: undefined, authority: undefined, scheme: undefined }],
    ['example.com:443', { path: undefined, query: undefined, authority: { host: 'example.com', port: 443 }, scheme: undefined }],
    ['[::1]:443', { path: undefined, query: undefined, authority: { host: '::1', port: 443 }, scheme: undefined }],
    ['user:pass@host:443', { path: undefined, query: undefined, authority: { host: 'host', port: 443 }, scheme: undefined }],
    // none of the four: nothing recorded
    ['user:pass@host/x', { path: undefined, query: undefined, authority: undefined, scheme: undefined }],
    ['host', { path: undefined, query: undefined, authority: undefined, scheme: undefined }],
    ['*x', { path: undefined, query: undefined, authority: undefined, scheme: undefined }],
  ])('%p', (target, expected) => {
    expect(parseRequestTarget(target)).toEqual(expected);
  });

  it('parses Host headers with the same authority rules, dropping userinfo', () => {
    expect(parseAuthority('127.0.0.1:8080')).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(parseAuthority('[::1]:9999')).toEqual({ host: '::1', port: 9999 });
    expect(parseAuthority('example.com')).toEqual({ host: 'example.com', port: undefined });
    expect(parseAuthority('user:pw@example.com:1')).toEqual({ host: 'example.com', port: 1 });
    expect(parseAuthority(':80')).toEqual({ host: undefined, port: 80 });
    for (const malformed of ['host:abc', 'host:123456', 'host:65536', '[::1', '[::1]x', 'a:b:c']) expect(parseAuthority(malformed)).toEqual(none);
  });

  const chars = (alphabet: string, maxLength: number) => fc.string({ unit: fc.constantFrom(...alphabet), maxLength });

  it('records the path and query of an absolute-form target, never its userinfo or scheme (property)', () => {
    const scheme = fc.stringMatching(/^[A-Za-z][A-Za-z0-9+.-]{0,8}$/);
    // Userinfo as lax senders write it ('@' included), marked so a leak is visible; the other
    // parts use lower case only, so SECRET can only come from the userinfo.
    const userinfo = fc.option(fc.tuple(chars("uv:%!$&'()*+,;=@", 6), chars("uv:%!$&'()*+,;=@", 6)).map(([a, b]) => `${a}SECRET${b}`), { nil: undefined });
    const host = fc.oneof(chars('abc0123456789.-', 12), fc.constantFrom('[::1]', '[2001:db8::7]'));
    const port = fc.option(fc.integer({ min: 0, max: 65535 }), { nil: undefined });
    const path = fc.array(chars("abc%20-._~!$&'()*+,;=:@", 6), { maxLength: 4 }).map((segments) => segments.map((s) => `/${s}`).join(''));
    const query = fc.option(chars('abc=&%+/?:@', 12), { nil: undefined });
    fc.assert(
      fc.property(scheme, userinfo, host, port, path, query, (s, u, h, p, pa, q) => {
        const target = `${s}://${u === undefined ? '' : `${u}@`}${h}${p === undefined ? '' : `:${p}`}${pa}${q === undefined ? '' : `?${q}`}`;
        const parsed = parseRequestTarget(target);
        expect(parsed.path).toBe(pa === '' ? '/' : pa);
        expect(parsed.query).toBe(q === '' ? undefined : q);
        expect(parsed.scheme).toBe(s.toLowerCase());
        expect(parsed.authority).toEqual({ host: h === '' ? undefined : h.replace(/^\[(.*)\]$/, '$1'), port: p });
        expect(JSON.stringify(parsed)).not.toContain('SECRET');
      }),
    );
  });

  it('whatever the target: never throws, and a recorded path is /-rooted or *, without query or fragment (property)', () => {
    const prefix = fc.constantFrom('', '/', 'http://', 'https://u:p@', 'x:', '*', '[');
    fc.assert(
      fc.property(prefix, fc.string({ unit: 'binary-ascii', maxLength: 40 }), (pre, rest) => {
        const { path, query } = parseRequestTarget(pre + rest);
        if (path !== undefined) {
          expect(path === '*' || path.startsWith('/')).toBe(true);
          expect(path).not.toMatch(/[?#]/);
        }
        if (query !== undefined) expect(query).not.toContain('#');
      }),
    );
  });

  it('takes linear time on hostile targets', () => {
    const n = 1_000_000;
    const hostile = ['http://' + '@'.repeat(n), 'http://' + '['.repeat(n), 'a'.repeat(n) + ':', '/' + '?'.repeat(n), 'http://' + ':'.repeat(n) + '/x', 'a:' + '@'.repeat(n)];
    const started = process.hrtime.bigint();
    for (const target of hostile) parseRequestTarget(target);
    // A quadratic scan of 1 MB takes minutes; linear ones take a few milliseconds.
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(500);
  });
});
