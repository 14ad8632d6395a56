import { parseRetryAfter, resultForStatus, sendHttpExport } from '../../src';

describe('HTTP export classification', () => {
  it.each([
    [200, 'success'],
    [204, 'success'],
    [400, 'failed'],
    [401, 'failed'],
    [404, 'failed'],
    [413, 'failed'],
    [500, 'failed'],
    [429, 'retryable'],
    [502, 'retryable'],
    [503, 'retryable'],
    [504, 'retryable'],
  ])('status %i is %s', (status, code) => {
    expect(resultForStatus(status, undefined).code).toBe(code);
  });

  it('reads Retry-After as seconds or an HTTP date, capped at 5 minutes', () => {
    const now = Date.parse('2026-11-25T10:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Wed, 25 Nov 2026 10:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('Wed, 25 Nov 2026 09:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('86400', now)).toBe(300_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(resultForStatus(503, '2')).toMatchObject({ code: 'retryable', retryAfterMillis: 2000 });
  });

  it('never rejects: bad URLs fail, refused connections are retryable', async () => {
    expect((await sendHttpExport({ url: 'not a url', body: '' })).result.code).toBe('failed');
    const refused = await sendHttpExport({ url: 'http://127.0.0.1:1/', body: '[]' });
    expect(refused.result.code).toBe('retryable');
    const controller = new AbortController();
    controller.abort();
    expect((await sendHttpExport({ url: 'http://127.0.0.1:1/', body: '[]', signal: controller.signal })).result.code).toBe('failed');
  });
});
