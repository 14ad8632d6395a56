'use strict';
// Writes the declarations that ESM importers get. TypeScript reads a .d.ts in a CommonJS
// package as CommonJS, so with one .d.ts for both conditions an `import` got CJS types (attw:
// "Masquerading as CJS"): a default export that index.mjs does not have, and the CJS types of
// our dependencies (axios's AxiosStatic) where the importer has their ESM ones.
//
// For every `exports` entry of a published package, `import.types` is the `require.types` file
// renamed .d.ts -> .d.mts. Like index.mjs, it re-exports the CommonJS declarations, so a
// program with both `import` and `require` sees one Span and one Tracer type. The exception is
// a .d.ts that imports another package (axios, express, ...), directly or through the files it
// imports: that package may have separate ESM types, so such a file is copied beside itself as
// .d.mts, where its imports resolve as ESM. Relative specifiers become `.mjs` (to a copy) or
// `.js` (to a CommonJS .d.ts). Node's built-ins and our own packages count as the same in both
// modes: our packages follow this rule themselves.
//
// Run by `npm run build` (the root "postbuild" script), after `tsc -b`:
//   node scripts/write-esm-types.js            every published package
//   node scripts/write-esm-types.js packages/core
const fs = require('node:fs');
const { builtinModules } = require('node:module');
const path = require('node:path');
const ts = require('typescript');
const { publishedPackages } = require('./published-packages');

const DTS = /\.d\.ts$/;
const SOURCE_MAP_COMMENT = /\n\/\/# sourceMappingURL=\S+\s*$/;
const BUILTINS = new Set(builtinModules);

/** The `require.types` declaration of each `exports` entry, checked against `import.types`. */
function entryDeclarations({ dir, manifest }) {
  return Object.entries(manifest.exports ?? {})
    .filter(([, target]) => typeof target === 'object' && target.require?.types !== undefined)
    .map(([subpath, target]) => {
      const cjs = target.require.types;
      if (!DTS.test(cjs) || target.import?.types !== cjs.replace(DTS, '.d.mts')) {
        throw new Error(`${manifest.name} exports["${subpath}"]: expected import.types to be require.types as .d.mts`);
      }
      return { subpath, file: path.join(dir, cjs) };
    });
}

/** Resolves a relative specifier as TypeScript does from a CJS .d.ts (extensionless or .js). */
function resolveRelative(fromFile, specifier) {
  const bare = specifier.replace(/\.js$/, '').replace(/\/$/, '') || '.';
  const base = path.resolve(path.dirname(fromFile), bare);
  if (fs.existsSync(`${base}.d.ts`)) return { file: `${base}.d.ts`, stem: bare };
  if (fs.existsSync(path.join(base, 'index.d.ts'))) return { file: path.join(base, 'index.d.ts'), stem: `${bare}/index` };
  throw new Error(`${fromFile}: cannot resolve '${specifier}' to a declaration file`);
}

/**
 * The import graph of every published package's declarations: per .d.ts, its text, its
 * relative imports, and whether it imports a package that is neither built in nor ours.
 */
function buildGraph(packages) {
  const ours = new Map(packages.flatMap((pkg) => entryDeclarations(pkg).map(({ subpath, file }) => [path.posix.join(pkg.manifest.name, subpath), file])));
  const graph = new Map();
  const queue = [...ours.values()];
  while (queue.length > 0) {
    const file = queue.shift();
    if (graph.has(file)) continue;
    const text = fs.readFileSync(file, 'utf8');
    const { importedFiles, referencedFiles } = ts.preProcessFile(text, true, true);
    // No declaration uses `/// <reference path>` today; fail rather than copy it unrewritten.
    if (referencedFiles.length > 0) throw new Error(`${file}: /// <reference path> is not supported`);
    const node = { text, relative: [], edges: [], foreign: false };
    for (const ref of importedFiles) {
      const name = ref.fileName;
      if (name.startsWith('.')) {
        const target = resolveRelative(file, name);
        node.relative.push({ ref, ...target });
        node.edges.push(target.file);
      } else if (ours.has(name)) node.edges.push(ours.get(name));
      else if (!BUILTINS.has(name) && !name.startsWith('node:')) node.foreign = true;
    }
    graph.set(file, node);
    queue.push(...node.edges);
  }
  // needsCopy: imports another package, or a file that does (iterated to a fixed point, so
  // import cycles between declaration files are handled).
  for (const node of graph.values()) node.needsCopy = node.foreign;
  for (let changed = true; changed;) {
    changed = false;
    for (const node of graph.values()) {
      if (!node.needsCopy && node.edges.some((edge) => graph.get(edge).needsCopy)) node.needsCopy = changed = true;
    }
  }
  return graph;
}

/** The .d.mts text of one .d.ts: relative specifiers point at copies (.mjs) or at CJS (.js). */
function esmText(file, graph) {
  const { text, relative } = graph.get(file);
  let out = text;
  for (const { ref, file: target, stem } of [...relative].sort((a, b) => b.ref.pos - a.ref.pos)) {
    // `pos` is the string literal's opening quote; the specifier follows it.
    const start = ref.pos + 1;
    const end = start + ref.fileName.length;
    if (out.slice(start, end) !== ref.fileName) throw new Error(`${file}: '${ref.fileName}' not found at ${ref.pos}`);
    out = out.slice(0, start) + stem + (graph.get(target).needsCopy ? '.mjs' : '.js') + out.slice(end);
  }
  // The .d.ts.map describes the .d.ts; the .d.mts has no map of its own.
  return `// ESM view of ${path.basename(file)}, generated by scripts/write-esm-types.js.\n${out.replace(SOURCE_MAP_COMMENT, '\n')}`;
}

/** Writes one package's .d.mts files; returns their paths. */
function writePackage(pkg, graph) {
  const entries = entryDeclarations(pkg).map(({ file }) => file);
  const copies = new Set(entries);
  const walk = (file) => {
    for (const edge of graph.get(file).edges) {
      if (edge.startsWith(pkg.dir + path.sep) && graph.get(edge).needsCopy && !copies.has(edge)) copies.add(edge), walk(edge);
    }
  };
  entries.forEach(walk);
  const written = new Set();
  for (const file of copies) {
    const target = file.replace(DTS, '.d.mts');
    const text = esmText(file, graph);
    // Unchanged files keep their mtime, and a concurrent build never sees one missing.
    if (!fs.existsSync(target) || fs.readFileSync(target, 'utf8') !== text) fs.writeFileSync(target, text);
    written.add(target);
  }
  // A .d.mts left from an earlier build (a deleted source file) would otherwise ship.
  const dist = path.join(pkg.dir, 'dist');
  for (const name of fs.existsSync(dist) ? fs.readdirSync(dist, { recursive: true }) : []) {
    const file = path.join(dist, name);
    if (file.endsWith('.d.mts') && !written.has(file)) fs.rmSync(file);
  }
  return [...written];
}

if (require.main === module) {
  const packages = publishedPackages();
  const graph = buildGraph(packages);
  const selected = process.argv.slice(2).map((arg) => path.resolve(arg));
  for (const pkg of packages) {
    if (selected.length > 0 && !selected.includes(pkg.dir)) continue;
    const written = writePackage(pkg, graph);
    if (selected.length > 0) console.log(`${pkg.manifest.name}: ${written.map((file) => path.relative(pkg.dir, file)).join(', ')}`);
  }
}

module.exports = { buildGraph, writePackage };
