'use strict';
// Packs every published package as `npm publish` would and checks what an npm user gets:
//   types     attw ("are the types wrong?") with its strictest profile: node10, node16 from
//             CommonJS, node16 from ESM and bundler resolution, no problem in any;
//   manifest  publint, suggestions included, and `engines` equal to the root's;
//   files     only what runs, its types, README and LICENSE (scripts/tarball-rules.js).
// Run after `npm run build` (its postbuild step writes the ESM declarations):
//   node scripts/check-packages.js [--json] [--keep DIR]
// Exits 1 listing each problem. test/packaging/packages.test.ts runs it in `npm test`.
const { execFile } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { promisify } = require('node:util');
const { root, publishedPackages } = require('./published-packages');
const { tarballProblems } = require('./tarball-rules');

const run = promisify(execFile);
const MAX_BUFFER = 64 * 1024 * 1024;
// Two attw processes at a time: each loads its own TypeScript (~1.5 s of CPU), and CI has 2 cores.
const CONCURRENCY = 2;

/** One `npm pack` for all workspaces: [{ name, dir, tarball, files }]. */
async function packAll(destination) {
  const packages = publishedPackages();
  const workspaces = packages.flatMap(({ dir }) => ['--workspace', path.relative(root, dir)]);
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', destination, ...workspaces], { cwd: root, maxBuffer: MAX_BUFFER });
  return JSON.parse(stdout).map((result) => ({
    name: result.name,
    dir: packages.find(({ manifest }) => manifest.name === result.name).dir,
    tarball: path.join(destination, result.filename),
    files: result.files.map((file) => file.path),
  }));
}

async function attwProblems(tarball) {
  const cli = path.join(path.dirname(require.resolve('@arethetypeswrong/cli/package.json')), 'dist', 'index.js');
  let stdout;
  try {
    ({ stdout } = await run(process.execPath, [cli, tarball, '--format', 'json', '--profile', 'strict'], { maxBuffer: MAX_BUFFER }));
  } catch (error) {
    // attw exits 1 when it finds problems; the JSON on stdout says which.
    if (typeof error.stdout !== 'string' || !error.stdout.trim().startsWith('{')) throw error;
    stdout = error.stdout;
  }
  const { analysis } = JSON.parse(stdout);
  if (analysis.types === false) return ['attw: the package has no types'];
  // Problems differ in shape (FalseCJS names two files, NoResolution an entrypoint and a
  // resolution mode): print every string field, paths relative to the package.
  return analysis.problems.map((problem) => {
    const fields = Object.entries(problem).filter(([key, value]) => key !== 'kind' && typeof value === 'string');
    const where = fields.map(([key, value]) => `${key} ${value.replace(/^\/node_modules\/(@[^/]+\/)?[^/]+\//, '')}`).join(', ');
    return `attw ${problem.kind}${where ? ` (${where})` : ''}`;
  });
}

async function publintProblems(tarball) {
  const { publint } = await import('publint');
  const { formatMessage } = await import('publint/utils');
  const data = fs.readFileSync(tarball);
  const buffer = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength);
  const { messages, pkg } = await publint({ pack: { tarball: buffer }, level: 'suggestion' });
  return messages.map((message) => `publint ${message.code}: ${formatMessage(message, pkg, { color: false })}`);
}

function manifestProblems(manifest) {
  const engines = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).engines.node;
  return manifest.engines?.node === engines ? [] : [`engines.node is ${manifest.engines?.node}, the root says ${engines}`];
}

async function checkOne(pack) {
  const manifest = JSON.parse(fs.readFileSync(path.join(pack.dir, 'package.json'), 'utf8'));
  const problems = [
    ...tarballProblems(manifest, pack.files),
    ...manifestProblems(manifest),
    ...(await publintProblems(pack.tarball)),
    ...(await attwProblems(pack.tarball)),
  ];
  return { name: pack.name, tarball: pack.tarball, files: pack.files, problems };
}

/** Packs into `destination` and checks each tarball: [{ name, tarball, files, problems }]. */
async function checkPackages(destination) {
  const packs = await packAll(destination);
  const results = [];
  let next = 0;
  const worker = async () => {
    while (next < packs.length) {
      const index = next++;
      results[index] = await checkOne(packs[index]);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return results;
}

async function main() {
  const args = process.argv.slice(2);
  const keep = args.includes('--keep') ? path.resolve(args[args.indexOf('--keep') + 1]) : undefined;
  const destination = keep ?? fs.mkdtempSync(path.join(os.tmpdir(), 'tracewell-pack-'));
  fs.mkdirSync(destination, { recursive: true });
  try {
    const results = await checkPackages(destination);
    if (args.includes('--json')) console.log(JSON.stringify(results, null, 2));
    else for (const { name, files, problems } of results) {
      console.log(`${problems.length === 0 ? 'ok  ' : 'FAIL'} ${name} (${files.length} files)${problems.map((p) => `\n       ${p}`).join('')}`);
    }
    if (results.some(({ problems }) => problems.length > 0)) process.exitCode = 1;
  } finally {
    if (keep === undefined) fs.rmSync(destination, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exitCode = 2;
  });
}

module.exports = { checkPackages, packAll };
