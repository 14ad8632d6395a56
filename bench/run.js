'use strict';
// `npm run bench`: runs every benchmark file and prints one table per file. Ratios are
// computed within this run only (the machine is shared: compare ratios, not absolute times).
const files = ['core'];
console.log(`node ${process.version}, ${require('node:os').cpus().length} cpus`);
for (const file of files) {
  console.log(`\n# ${file}`);
  console.table(require(`./${file}`).run());
}
