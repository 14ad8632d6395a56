'use strict';
// What a published tarball may and must hold: what runs, its types, README and LICENSE.
// Kept out: src/ and test/, build state (.tsbuildinfo holds this machine's paths), and source
// and declaration maps (they point at src/, which is not shipped).

const SHIPPED = [/^package\.json$/, /^README\.md$/, /^LICENSE$/, /^dist\/.+\.(js|d\.ts|d\.mts)$/];

/** Every file the manifest points at: main, types, bin and each `exports` target. */
function entryFiles(manifest) {
  const targets = [manifest.main, manifest.types];
  const bin = typeof manifest.bin === 'string' ? [manifest.bin] : Object.values(manifest.bin ?? {});
  targets.push(...bin);
  const walk = (value) => {
    if (typeof value === 'string') targets.push(value);
    else if (value !== null && typeof value === 'object') Object.values(value).forEach(walk);
  };
  walk(manifest.exports);
  return [...new Set(targets.filter((t) => typeof t === 'string').map((t) => t.replace(/^\.\//, '')))];
}

/**
 * Problems with one tarball's file list.
 * @param {Record<string, any>} manifest the packed package.json
 * @param {string[]} files paths inside the tarball, e.g. `dist/index.js`
 * @returns {string[]}
 */
function tarballProblems(manifest, files) {
  // A plain file named in `files` (the viewer's ui/index.html) is shipped on purpose, and so is
  // every file the manifest points at (the ESM entries: index.mjs, instrumentation.mjs, ...).
  const entries = entryFiles(manifest);
  const named = new Set([...(manifest.files ?? []).filter((entry) => !entry.startsWith('!') && !entry.includes('*')), ...entries]);
  const have = new Set(files);
  const problems = files
    .filter((file) => !named.has(file) && !SHIPPED.some((pattern) => pattern.test(file)))
    .map((file) => `ships ${file}: neither code that runs, its types, README nor LICENSE`);
  const required = ['package.json', 'README.md', 'LICENSE', ...entries];
  for (const file of required) if (!have.has(file)) problems.push(`does not ship ${file}`);
  return problems;
}

module.exports = { tarballProblems, entryFiles };
