import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeOtlpRequest } from '@tracewell/conformance';
import { problemsOfBatchWrite } from './batch-write-validator';

/** A scripted answer of the Cloud Trace endpoint: status, body and headers. */
export interface Answer {
  status: number;
  body?: string;
  headers?: Record<string, string>;
}

/**
 * Google's side, on 127.0.0.1: a metadata server (tokens and the project id, as on GCE /
 * Cloud Run), an STS token endpoint (for external-account credentials), the Cloud Trace v2
 * batchWrite endpoint and the Telemetry API's OTLP endpoint. Both trace endpoints check the
 * bearer token against the tokens issued here, and batchWrite validates every field and limit.
 */
export class FakeGoogle {
  readonly project = 'tracewell-test';
  readonly issued = new Set<string>();
  tokensIssued = 0;
  metadataUp = true;
  /** When set, the next token issued is refused by the trace endpoints (as if revoked). */
  revokeNextToken = false;
  /** Scripted answers for the next trace-endpoint requests (consumed in order; `undefined` answers as usual). */
  readonly traceAnswers: Array<Answer | undefined> = [];
  readonly batchWrites: Array<{ project: string; token: string; body: { spans: Array<Record<string, unknown>> }; problems: string[] }> = [];
  readonly otlpRequests: Array<{ token: string; userProject: string | undefined; body: unknown }> = [];
  readonly rejectedTokens: string[] = [];
  private server: Server | undefined;

  /** Starts listening; returns the base URL. */
  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => this.route(req, res, Buffer.concat(chunks)));
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    return this.url;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  /** `host:port` for GCE_METADATA_HOST. */
  get metadataHost(): string {
    return this.url.slice('http://'.length);
  }

  /** Issues a token the trace endpoints will accept. */
  issue(prefix: string): string {
    const token = `${prefix}-${++this.tokensIssued}`;
    if (this.revokeNextToken) this.revokeNextToken = false;
    else this.issued.add(token);
    return token;
  }

  /** All spans received by batchWrite. */
  v2Spans(): Array<Record<string, unknown>> {
    return this.batchWrites.flatMap((w) => w.body.spans);
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }

  private route(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://google');
    if (url.pathname.startsWith('/computeMetadata/v1')) return this.metadata(req, res, url.pathname);
    if (url.pathname === '/sts/token' && req.method === 'POST') {
      const params = new URLSearchParams(body.toString('utf8'));
      if (params.get('subject_token') !== 'subject-token-from-file') return void res.writeHead(400).end('{"error":"invalid_grant"}');
      return json(res, 200, { access_token: this.issue('sts-token'), issued_token_type: 'urn:ietf:params:oauth:token-type:access_token', token_type: 'Bearer', expires_in: 3600 });
    }
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    const v2 = /^\/v2\/projects\/([^/]+)\/traces:batchWrite$/.exec(url.pathname);
    if ((v2 !== null || url.pathname === '/v1/traces') && req.method === 'POST') {
      if (!this.issued.has(token)) {
        this.rejectedTokens.push(token);
        return json(res, 401, { error: { code: 401, message: 'Request had invalid authentication credentials.' } });
      }
      const scripted = this.traceAnswers.shift();
      if (scripted !== undefined) return void res.writeHead(scripted.status, scripted.headers ?? {}).end(scripted.body ?? '');
      if (v2 !== null) {
        const parsed = JSON.parse(body.toString('utf8')) as { spans: Array<Record<string, unknown>> };
        this.batchWrites.push({ project: decodeURIComponent(v2[1]!), token, body: parsed, problems: problemsOfBatchWrite(parsed, decodeURIComponent(v2[1]!)) });
        return json(res, 200, {});
      }
      this.otlpRequests.push({ token, userProject: req.headers['x-goog-user-project'] as string | undefined, body: decodeOtlpRequest(body) });
      return void res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    }
    res.writeHead(404).end();
  }

  private metadata(req: IncomingMessage, res: ServerResponse, path: string): void {
    const headers = { 'metadata-flavor': 'Google' };
    if (req.headers['metadata-flavor'] !== 'Google') return void res.writeHead(403, headers).end('missing Metadata-Flavor');
    if (!this.metadataUp) return void res.writeHead(503, headers).end('metadata server unavailable');
    if (path === '/computeMetadata/v1/instance/service-accounts/default/token') {
      return void res.writeHead(200, { ...headers, 'content-type': 'application/json' }).end(JSON.stringify({ access_token: this.issue('metadata-token'), expires_in: 3600, token_type: 'Bearer' }));
    }
    if (path === '/computeMetadata/v1/project/project-id') return void res.writeHead(200, { ...headers, 'content-type': 'text/plain' }).end(this.project);
    res.writeHead(200, headers).end('');
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
