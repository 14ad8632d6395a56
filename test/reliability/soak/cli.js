'use strict';
// `npm run soak` (after the build):
//
//   node test/reliability/soak/cli.js [--requests N] [--connections N] [--max-heap-growth-mib N]
//                                     [--property-runs N] [--skip-properties]
//
// Step 1, the load soak (run-soak.js): N requests (default 1,000,000; also SOAK_REQUESTS)
// through Express -> traced axios -> Koa with always_on tracing and a collector that answers
// in 20-50 ms; prints the heap after each chunk, then the figures. Fails if heap used grows
// more than --max-heap-growth-mib (default 8) from the checkpoint (10,000 requests, or
// requests/4 when fewer than 40,000 are asked for) to the end, if any type of active resource
// is above its count before the load, if exported + dropped != ended or spans stay queued after
// the final flush, or if the service does not exit on its own after shutdown.
// Step 2, the hostile-headers property suite (../hostile-headers.test.ts) under Jest with
// TRACEWELL_PROPERTY_RUNS=100000 (--property-runs), unless --skip-properties.
// Exits 1 if either step failed.
const { spawn } = require('node:child_process');
const path = require('node:path');
const { DEFAULT_MAX_HEAP_GROWTH_MIB, runSoak, findProblems, formatReport, formatRow } = require('./run-soak');

const ROOT = path.join(__dirname, '..', '..', '..');
const DEFAULT_PROPERTY_RUNS = 100_000;

function parseArgs(argv) {
  const args = {
    requests: Number(process.env.SOAK_REQUESTS ?? 1_000_000),
    connections: 10,
    maxHeapGrowthMiB: DEFAULT_MAX_HEAP_GROWTH_MIB,
    propertyRuns: DEFAULT_PROPERTY_RUNS,
    skipProperties: false,
  };
  const numeric = { '--requests': 'requests', '--connections': 'connections', '--max-heap-growth-mib': 'maxHeapGrowthMiB', '--property-runs': 'propertyRuns' };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    if (flag === '--skip-properties') args.skipProperties = true;
    else if (numeric[flag] !== undefined) args[numeric[flag]] = Number(inline ?? argv[++i]);
    else throw new Error(`unknown argument ${argv[i]} (see the header of test/reliability/soak/cli.js)`);
  }
  for (const key of ['requests', 'connections', 'propertyRuns']) {
    if (!(Number.isInteger(args[key]) && args[key] > 0)) throw new Error(`${key}: expected a positive integer, got ${args[key]}`);
  }
  if (!(args.maxHeapGrowthMiB > 0)) throw new Error(`max-heap-growth-mib: expected a positive number, got ${args.maxHeapGrowthMiB}`);
  return args;
}

async function loadSoak(args) {
  console.log(`== soak: ${args.requests.toLocaleString('en-US')} requests, Express -> axios -> Koa, always_on, OTLP to a collector answering in 20-50 ms (Node ${process.version}) ==`);
  const started = Date.now();
  const result = await runSoak({ requests: args.requests, connections: args.connections, onProgress: (row) => console.log(formatRow(row)) });
  console.log(formatReport(result));
  const problems = Object.values(findProblems(result, { maxHeapGrowthMiB: args.maxHeapGrowthMiB })).flat();
  console.log(`soak: ${problems.length === 0 ? 'PASS' : 'FAIL'} in ${((Date.now() - started) / 1000).toFixed(0)} s (heap growth limit ${args.maxHeapGrowthMiB} MiB)`);
  for (const problem of problems) console.log(`  - ${problem}`);
  return problems.length === 0;
}

function propertySuite(runs) {
  console.log(`\n== hostile-headers property suite, TRACEWELL_PROPERTY_RUNS=${runs} ==`);
  const started = Date.now();
  const jest = path.join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js');
  // --testTimeout: the default 5 s is for CI-sized runs; a test's own explicit timeout still wins.
  const child = spawn(process.execPath, ['--experimental-vm-modules', jest, '--ci', '--testTimeout=1800000', 'test/reliability/hostile-headers'], {
    cwd: ROOT,
    env: { ...process.env, TRACEWELL_PROPERTY_RUNS: String(runs) },
    stdio: 'inherit',
  });
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      const ok = code === 0;
      console.log(`hostile headers (${runs} runs): ${ok ? 'PASS' : `FAIL (code ${code}, signal ${signal})`} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
      resolve(ok);
    });
  });
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const soakOk = await loadSoak(args);
  const propertiesOk = args.skipProperties ? true : await propertySuite(args.propertyRuns);
  if (args.skipProperties) console.log('\nhostile-headers property suite: skipped (--skip-properties)');
  process.exitCode = soakOk && propertiesOk ? 0 : 1;
}

main().catch((error) => {
  console.error('soak:', error);
  process.exitCode = 1;
});
