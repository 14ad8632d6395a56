import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCodes } from '../src';

describe('error codes', () => {
  it('docs/errors.md documents exactly the codes in errors.ts', () => {
    const doc = readFileSync(join(__dirname, '../../../docs/errors.md'), 'utf8');
    const documented = [...doc.matchAll(/^### (TW_[A-Z_]+)$/gm)].map((m) => m[1]).sort();
    expect(documented).toEqual(Object.keys(ErrorCodes).sort());
  });
});
