#!/usr/bin/env node
// tracewell-viewer: the local collector and trace UI.
import { parseArgs } from 'node:util';
import { startViewer } from './viewer-server';

const USAGE = `Usage: npx @tracewell/viewer [--port 4318] [--host 127.0.0.1] [--data FILE] [--max-spans 100000]
                             [--allow-origin ORIGIN]...

Receives OTLP/HTTP (POST /v1/traces, JSON or protobuf) and Zipkin v2 (POST /api/v2/spans) and
shows the traces at http://HOST:PORT/. Point exporters at it:
  OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 node app.js

Web pages from other origins can neither read nor write unless allowed with --allow-origin
(e.g. --allow-origin http://localhost:3000 for a browser app exporting spans; * for any).`;

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        data: { type: 'string' },
        'max-spans': { type: 'string' },
        'allow-origin': { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (values.help === true) return void console.log(USAGE);
  const port = values.port === undefined ? 4318 : Number(values.port);
  const maxSpans = values['max-spans'] === undefined ? undefined : Number(values['max-spans']);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port: expected 0-65535, got ${values.port}`);
  if (maxSpans !== undefined && !(Number.isInteger(maxSpans) && maxSpans > 0)) throw new Error(`--max-spans: expected a positive integer, got ${values['max-spans']}`);
  const viewer = await startViewer({ port, host: values.host, dataFile: values.data, maxSpans, allowOrigins: values['allow-origin'] });
  console.log(`Tracewell viewer on ${viewer.url}  (OTLP: ${viewer.url}/v1/traces, Zipkin: ${viewer.url}/api/v2/spans)`);
  const stop = () => void viewer.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(`tracewell-viewer: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
