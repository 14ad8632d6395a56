import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCodes } from '../src';
import { invalidOption, urlForMessages } from '../src/instrumentation';

describe('error codes', () => {
  it('docs/errors.md documents exactly the codes in errors.ts', () => {
    const doc = readFileSync(join(__dirname, '../../../docs/errors.md'), 'utf8');
    const documented = [...doc.matchAll(/^### (TW_[A-Z_]+)$/gm)].map((m) => m[1]).sort();
    expect(documented).toEqual(Object.keys(ErrorCodes).sort());
  });
});

describe('urlForMessages, and URLs in option errors', () => {
  it.each([
    ['https://user:secret@collector:4318/v1/traces?token=t#frag', 'https://…@collector:4318/v1/traces'],
    ['http://collector:4318/v1/traces', 'http://collector:4318/v1/traces'],
    ['user:secret@collector:4318/v1/traces', '…@collector:4318/v1/traces'],
    ['collector:4318?api_key=k', 'collector:4318'],
    ['http://host/path@not-userinfo', 'http://host/path@not-userinfo'],
    [`http://host/${'x'.repeat(200)}`, `http://host/${'x'.repeat(88)}…`],
  ])('%s is shown as %s', (value, shown) => {
    expect(urlForMessages(value)).toBe(shown);
  });

  it('an option error never echoes the user info, query or fragment of a URL it got', () => {
    const error = invalidOption('exporter.url', 'an http: or https: URL', 'ftp://admin:hunter2@collector/v1?token=abc');
    expect(error.message).toBe('Invalid option "exporter.url": expected an http: or https: URL, got "ftp://…@collector/v1"');
    expect(error.message).not.toMatch(/hunter2|abc|admin/);
  });
});
