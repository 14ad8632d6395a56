'use strict';
// `npm run bench [-- --quick]`: every benchmark, printed as markdown tables and written to
// bench/results/latest.json. Ratios are computed within this run only: the machine is shared,
// so compare ratios, not absolute times. --quick shortens everything (under 2 minutes).
// `npm run bench -- --instructions [--quick]`: only the instruction counts under valgrind
// (bench/instructions.js: tens of minutes, see its header), written to
// bench/results/instructions.json.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { configure } = require('./harness');

const quick = process.argv.includes('--quick');
const instructions = process.argv.includes('--instructions');
const INSTRUCTION_SUITES = [
  ['Instructions per request under valgrind (cachegrind): untraced, AsyncLocalStorage only, Tracewell unsampled and sampled, OpenTelemetry JS', './instructions'],
];
const WALL_CLOCK_SUITES = [
  ['Micro-benchmarks: @tracewell/core next to OpenTelemetry JS (ns per operation)', './core'],
  ['Hostile trace headers: 10 KiB against 100 KiB (µs per extract + child + inject)', './hostile-headers'],
  ['OTLP encoding: 512 spans per batch', './otlp'],
  ['Context managers: AsyncLocalStorage (default) and cls-hooked', './context'],
  ['OpenTelemetry bridge: an instrumentation-pg query span, Tracewell behind the OpenTelemetry API and OpenTelemetry JS (ns per query)', './opentelemetry-bridge'],
  ['HTTP clients: fetch and http.get to a local keep-alive server, untraced, Tracewell (traceHttpClients) and OpenTelemetry JS (µs per request)', './http-client'],
  ['gRPC: a unary call over loopback, client and server in one process, untraced, Tracewell (@tracewell/grpc interceptors) and OpenTelemetry JS (instrumentation-grpc) (µs per call)', './grpc'],
  ['Server overhead: untraced, Tracewell, OpenTelemetry JS (autocannon)', './server/run'],
  ['Memory: heap of a traced Express server after N requests', './server/memory'],
  ['Backend faults: an Express server with its OTLP collector healthy, hanging or answering 503', './backend-fault'],
  ['Viewer memory: 1,000 hostile OTLP posts (RSS of the viewer process, default limits)', './viewer/adversarial-posts'],
];

function markdown(rows) {
  if (rows.length === 0) return '(no rows)';
  const columns = Object.keys(rows[0]);
  const cell = (v) => (v === null || v === undefined ? '-' : String(v));
  return [
    `| ${columns.join(' | ')} |`,
    `|${columns.map(() => '---').join('|')}|`,
    ...rows.map((row) => `| ${columns.map((c) => cell(row[c])).join(' | ')} |`),
  ].join('\n');
}

async function main() {
  configure({ quick });
  const started = Date.now();
  const results = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    quick,
    suites: {},
  };
  console.log(`# Tracewell benchmarks${quick ? ' (quick)' : ''}\n\nnode ${process.version}, ${results.cpus} CPUs (${results.cpuModel})\n`);
  for (const [title, file] of instructions ? INSTRUCTION_SUITES : WALL_CLOCK_SUITES) {
    const suiteStart = Date.now();
    const rows = await require(file).run({ quick });
    results.suites[title] = rows;
    console.log(`## ${title}\n\n${markdown(rows)}\n\n_${((Date.now() - suiteStart) / 1000).toFixed(0)} s_\n`);
  }
  const dir = path.join(__dirname, 'results');
  fs.mkdirSync(dir, { recursive: true });
  const file = instructions ? 'instructions.json' : 'latest.json';
  fs.writeFileSync(path.join(dir, file), `${JSON.stringify(results, null, 2)}\n`);
  console.log(`Total ${((Date.now() - started) / 1000).toFixed(0)} s. Results: bench/results/${file}`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
