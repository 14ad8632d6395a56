import { firstEnv, httpUrlProblem, isHttpUrl, readEnv } from '../../src/exporter';

describe('the kit for exporters: environment variables and endpoint URLs', () => {
  it.each([
    [{ A: ' x ' }, 'x'],
    [{ A: '   ' }, undefined],
    [{ A: '' }, undefined],
    [{}, undefined],
  ])('readEnv(%p, "A") is %p (blank counts as unset)', (env, expected) => {
    expect(readEnv(env, 'A')).toBe(expected);
  });

  it('firstEnv takes the first set variable in order, skipping blank ones', () => {
    expect(firstEnv({ GENERAL: 'g', SPECIFIC: ' ' }, ['SPECIFIC', 'GENERAL'])).toEqual({ name: 'GENERAL', value: 'g' });
    expect(firstEnv({ GENERAL: 'g', SPECIFIC: 's' }, ['SPECIFIC', 'GENERAL'])).toEqual({ name: 'SPECIFIC', value: 's' });
    expect(firstEnv({}, ['SPECIFIC', 'GENERAL'])).toBeUndefined();
  });

  it.each([
    ['http://collector:4318/v1/traces', undefined],
    ['https://collector', undefined],
    [new URL('https://collector'), undefined],
    ['collector:4318', 'has no http:// or https:// in front'],
    ['grpc://collector:4317', 'has the scheme grpc:, expected http: or https:'],
    ['not a url', 'is not a URL'],
  ])('httpUrlProblem(%p) is %p', (value, problem) => {
    expect(httpUrlProblem(value)).toBe(problem);
    expect(isHttpUrl(value)).toBe(problem === undefined);
  });
});
