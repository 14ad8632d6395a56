'use strict';
// The workspaces we publish: every packages/* folder whose package.json is not private. One
// list for the build step that writes the ESM declarations and for the packaging check.
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');

/** @returns {{ dir: string, manifest: Record<string, any> }[]} sorted by folder name */
function publishedPackages() {
  const packages = path.join(root, 'packages');
  return fs.readdirSync(packages, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(packages, entry.name, 'package.json')))
    .map((entry) => {
      const dir = path.join(packages, entry.name);
      return { dir, manifest: JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) };
    })
    .filter(({ manifest }) => manifest.private !== true)
    .sort((a, b) => a.dir.localeCompare(b.dir));
}

module.exports = { root, publishedPackages };
