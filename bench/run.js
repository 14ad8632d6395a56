'use strict';
// `npm run bench`: runs every benchmark file and prints one table per file. Ratios are
// computed within this run only (the machine is shared: compare ratios, not absolute times).
const files = ['core', 'otlp'];

async function main() {
  console.log(`node ${process.version}, ${require('node:os').cpus().length} cpus`);
  for (const file of files) {
    console.log(`\n# ${file}`);
    console.table(await require(`./${file}`).run());
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
