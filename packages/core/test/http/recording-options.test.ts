import fc from 'fast-check';
import { DEFAULT_REDACTED_QUERY_PARAMS, NEVER_RECORDED_HEADERS } from '../../src';
import { compileHeaderRecording } from '../../src/http/header-recording';
import { compileQueryRecording } from '../../src/http/query-recording';

describe('query recording', () => {
  const redact = compileQueryRecording({ recordQuery: true }, 'test')!;

  it('is off unless recordQuery is true, whatever the redaction list', () => {
    expect(compileQueryRecording({}, 'test')).toBeUndefined();
    expect(compileQueryRecording({ recordQuery: false, redactQueryParams: ['x'] }, 'test')).toBeUndefined();
  });

  it.each([
    ['token=a', 'token=REDACTED'],
    ['access_token=a&refresh_token=b&id_token=c', 'access_token=REDACTED&refresh_token=REDACTED&id_token=REDACTED'],
    ['api_key=a&apiKey=b&AWSAccessKeyId=c&key=d', 'api_key=REDACTED&apiKey=REDACTED&AWSAccessKeyId=REDACTED&key=REDACTED'],
    ['password=a&client_secret=b&Signature=c&sig=d', 'password=REDACTED&client_secret=REDACTED&Signature=REDACTED&sig=REDACTED'],
    ['X-Amz-Date=a&x-amz-security-token=b&X-Goog-Credential=c', 'X-Amz-Date=REDACTED&x-amz-security-token=REDACTED&X-Goog-Credential=REDACTED'],
    // Names are matched decoded: an escaped or plus-spaced name is still caught.
    ['%74oken=a&my+secret=b', '%74oken=REDACTED&my+secret=REDACTED'],
    ['q=shoes&page=2&signal=on&design=x', 'q=shoes&page=2&signal=on&design=x'],
    ['token&flag=&=v&&token=', 'token&flag=&=v&&token=REDACTED'],
    ['bad%zzname=v&%E0%A4%A=x', 'bad%zzname=v&%E0%A4%A=x'],
  ])('default list: %s', (query, recorded) => {
    expect(redact(query)).toBe(recorded);
  });

  it('a custom list replaces the default: strings ignore case and take * anywhere, RegExps see the decoded name', () => {
    const custom = compileQueryRecording({ recordQuery: true, redactQueryParams: ['Session', 'pre*', '*mid*dle', /^Exact$/] }, 'test')!;
    expect(custom('SESSION=1&prefix=2&amiddle=3&mid-dle=4&middle=5&Exact=6&exact=7&token=8')).toBe(
      'SESSION=REDACTED&prefix=REDACTED&amiddle=REDACTED&mid-dle=REDACTED&middle=REDACTED&Exact=REDACTED&exact=7&token=8',
    );
  });

  it('keeps every parameter, in order, and never lets a listed value through (property)', () => {
    const name = fc.oneof(fc.constantFrom(...DEFAULT_REDACTED_QUERY_PARAMS.map((p) => p.replace(/\*/g, 'x'))), fc.stringMatching(/^[a-f_]{1,8}$/)); // a-f cannot spell a listed word
    fc.assert(
      fc.property(fc.array(fc.tuple(name, fc.stringMatching(/^[A-Z0-9]{1,6}$/)), { maxLength: 20 }), (pairs) => {
        const query = pairs.map(([n, v]) => `${n}=${v}`).join('&');
        const out = redact(query).split('&');
        expect(out.map((pair) => pair.split('=')[0])).toEqual(query.split('&').map((pair) => pair.split('=')[0]));
        for (const [i, [n, v]] of pairs.entries()) {
          if (DEFAULT_REDACTED_QUERY_PARAMS.some((p) => p.replace(/\*/g, 'x') === n)) expect(out[i]).toBe(`${n}=REDACTED`);
          else expect(out[i]).toBe(`${n}=${v}`);
        }
      }),
    );
  });

  it('handles a 100 KiB query of one huge name without pathological matching', () => {
    const name = 'x'.repeat(100 * 1024);
    expect(redact(`${name}=1&${name}token=2`)).toBe(`${name}=1&${name}token=REDACTED`);
  });

  it.each([
    [{ recordQuery: 1 }, /"test.recordQuery": expected true or false/],
    [{ redactQueryParams: 'token' }, /"test.redactQueryParams": expected an array/],
    [{ redactQueryParams: [null] }, /"test.redactQueryParams\[0\]": expected a parameter name/],
  ])('rejects %p at construction', (options, message) => {
    expect(() => compileQueryRecording(options as never, 'test')).toThrow(message);
  });
});

describe('header recording', () => {
  it('records the listed headers as string arrays under their lowercase names, skipping absent ones', () => {
    const { request, response } = compileHeaderRecording({ recordHeaders: { request: ['X-Request-Id', 'Accept', 'x-absent'], response: ['Content-Length'] } }, 'test');
    const headers: Record<string, unknown> = { 'x-request-id': 'r1', accept: ['a', 'b'] };
    expect(request!((name) => headers[name])).toEqual({ 'http.request.header.x-request-id': ['r1'], 'http.request.header.accept': ['a', 'b'] });
    expect(response!(() => 42)).toEqual({ 'http.response.header.content-length': ['42'] });
  });

  it('records nothing by default', () => {
    expect(compileHeaderRecording({}, 'test')).toEqual({ request: undefined, response: undefined });
  });

  it.each(NEVER_RECORDED_HEADERS.flatMap((name) => [name, name.toUpperCase()]))('refuses to record %s', (name) => {
    expect(() => compileHeaderRecording({ recordHeaders: { request: [name] } }, 'test')).toThrow(/"test.recordHeaders.request\[0\]": expected a header name other than authorization/);
    expect(() => compileHeaderRecording({ recordHeaders: { response: ['x-ok', name] } }, 'test')).toThrow(/"test.recordHeaders.response\[1\]"/);
  });

  it.each([
    [{ recordHeaders: ['x-id'] }, /"test.recordHeaders": expected an object/],
    [{ recordHeaders: { request: 'x-id' } }, /"test.recordHeaders.request": expected an array of header names/],
    [{ recordHeaders: { request: ['x id'] } }, /"test.recordHeaders.request\[0\]": expected a header name/],
    [{ recordHeaders: { request: ['x\r\nid'] } }, /"test.recordHeaders.request\[0\]": expected a header name/],
    [{ recordHeaders: { both: [] } }, /"test.recordHeaders.both": expected request or response/],
  ])('rejects %p at construction', (options, message) => {
    expect(() => compileHeaderRecording(options as never, 'test')).toThrow(message);
  });
});
