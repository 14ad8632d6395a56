#!/usr/bin/env node
// tracewell-viewer: the local collector and trace UI.
import { parseArgs } from 'node:util';
import { formatAnalysis } from './analysis-report';
import type { TraceDetailAnswer } from './api-types';
import { normalizeId } from './stored-span';
import { startViewer } from './viewer-server';

const USAGE = `Usage: npx @tracewell/viewer [--port 4318] [--host 127.0.0.1] [--data FILE] [--max-spans 100000]
                             [--allow-origin ORIGIN]... [--link 'NAME=URL_TEMPLATE']...
       npx @tracewell/viewer analyze TRACE_ID [--url http://127.0.0.1:4318]

Receives OTLP/HTTP (POST /v1/traces, JSON or protobuf) and Zipkin v2 (POST /api/v2/spans) and
shows the traces at http://HOST:PORT/. Point exporters at it:
  OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 node app.js

Web pages from other origins can neither read nor write unless allowed with --allow-origin
(e.g. --allow-origin http://localhost:3000 for a browser app exporting spans; * for any).

--link adds a link out of the UI, e.g. --link 'Jaeger=http://localhost:16686/trace/{traceId}'
(placeholders: {traceId} {spanId} {service} {name} {startTime} {endTime} {attr:KEY}).

analyze asks a running viewer why a trace was slow: the critical path's verdict and the
operations that held it longest.`;

/** `analyze TRACE_ID`: the analysis of a trace held by the viewer at `url`. */
async function analyze(traceId: string, url: string): Promise<void> {
  const id = normalizeId(traceId, 'trace', 'TRACE_ID');
  let response: Response;
  try {
    // limit=1: the analysis covers the whole trace whatever the page of spans.
    response = await fetch(`${url.replace(/\/+$/, '')}/api/traces/${id}?limit=1`);
  } catch (error) {
    throw new Error(`no viewer at ${url} (${(error as Error).message}); start one or pass --url`);
  }
  if (response.status === 404) throw new Error(`the viewer at ${url} has no trace ${id}`);
  if (!response.ok) throw new Error(`GET /api/traces/${id}: HTTP ${response.status}`);
  const answer = (await response.json()) as TraceDetailAnswer;
  console.log(`Trace ${id}: ${answer.total} spans`);
  console.log(formatAnalysis(answer.analysis));
}

async function main(): Promise<void> {
  let values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      allowPositionals: true,
      options: {
        url: { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        data: { type: 'string' },
        'max-spans': { type: 'string' },
        'allow-origin': { type: 'string', multiple: true },
        link: { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (values.help === true) return void console.log(USAGE);
  if (positionals[0] === 'analyze') {
    if (positionals.length !== 2) throw new Error(`analyze: expected one trace id\n\n${USAGE}`);
    return analyze(positionals[1]!, values.url ?? `http://127.0.0.1:${values.port ?? 4318}`);
  }
  if (positionals.length > 0) throw new Error(`unknown command ${JSON.stringify(positionals[0])}\n\n${USAGE}`);
  const port = values.port === undefined ? 4318 : Number(values.port);
  const maxSpans = values['max-spans'] === undefined ? undefined : Number(values['max-spans']);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port: expected 0-65535, got ${values.port}`);
  if (maxSpans !== undefined && !(Number.isInteger(maxSpans) && maxSpans > 0)) throw new Error(`--max-spans: expected a positive integer, got ${values['max-spans']}`);
  const links = (values.link ?? []).map((text) => {
    const at = text.indexOf('=');
    if (at <= 0) throw new Error(`--link: expected NAME=URL_TEMPLATE, got ${JSON.stringify(text)}`);
    return { name: text.slice(0, at), url: text.slice(at + 1) };
  });
  const viewer = await startViewer({ port, host: values.host, dataFile: values.data, maxSpans, allowOrigins: values['allow-origin'], links });
  console.log(`Tracewell viewer on ${viewer.url}  (OTLP: ${viewer.url}/v1/traces, Zipkin: ${viewer.url}/api/v2/spans)`);
  const stop = () => void viewer.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(`tracewell-viewer: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
