import { execFileSync } from 'node:child_process';

/**
 * Loads a package both ways, for checking its ESM entry (index.mjs) against its CommonJS
 * build: the export names of each, and whether every export is the very same object (so
 * `import` and `require` share one instance: one global tracer).
 * Regenerate a drifted index.mjs with scripts/write-esm-wrapper.js.
 *
 * @param packageName - e.g. `@tracewell/core`
 * @param packageDir - the package's folder (resolution starts there)
 */
export function esmEntryCheck(packageName: string, packageDir: string): { esmKeys: string[]; cjsKeys: string[]; same: boolean } {
  {
    const script = `
      import * as esm from '${packageName}';
      import { createRequire } from 'node:module';
      const cjs = createRequire(import.meta.url)('${packageName}');
      const esmKeys = Object.keys(esm).sort();
      const cjsKeys = Object.keys(cjs).filter((k) => k !== '__esModule').sort();
      console.log(JSON.stringify({ esmKeys, cjsKeys, same: esmKeys.every((k) => esm[k] === cjs[k]) }));
    `;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: packageDir, encoding: 'utf8' });
    return JSON.parse(out) as { esmKeys: string[]; cjsKeys: string[]; same: boolean };
  }
}
