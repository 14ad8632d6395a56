import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

describe('ESM entry', () => {
  it('import and require give the same objects and the same export names', () => {
    const script = `
      import * as esm from '@tracewell/express';
      import { createRequire } from 'node:module';
      const cjs = createRequire(import.meta.url)('@tracewell/express');
      const esmKeys = Object.keys(esm).sort();
      const cjsKeys = Object.keys(cjs).filter((k) => k !== '__esModule').sort();
      const same = esmKeys.every((k) => esm[k] === cjs[k]);
      console.log(JSON.stringify({ esmKeys, cjsKeys, same }));
    `;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: join(__dirname, '..'), encoding: 'utf8' });
    const { esmKeys, cjsKeys, same } = JSON.parse(out) as { esmKeys: string[]; cjsKeys: string[]; same: boolean };
    expect(esmKeys).toEqual(cjsKeys);
    expect(same).toBe(true);
  });
});
