// Reliability: the Cloud Trace exporter reads responses on two roads, core's sendHttpExport
// (the API calls) and google-auth-library's gaxios (token requests). Both are bounded: a
// Google endpoint that trickles its answer ends the export within the request deadline, and
// the connection is closed rather than left open. See README.md in this folder.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudTraceExporter } from '@tracewell/cloud-trace';
import { readableSpan, runningServer, type RunningServer } from '@tracewell/conformance';
import { OAuth2Client } from 'google-auth-library';

/** Slack for a loaded 2-core machine: a bound on behaviour, not a benchmark. */
const SLACK_MILLIS = 1500;
const quiet = { warn: () => undefined };

/** Answers every request with `status`, then one byte per 100 ms forever; notes when each client goes away. */
class TricklingGoogle {
  readonly paths: string[] = [];
  readonly closedAt: number[] = [];
  private running: RunningServer | undefined;
  private readonly timers = new Set<ReturnType<typeof setInterval>>();

  async start(status: number): Promise<string> {
    const server: Server = createServer((request, response) => {
      this.paths.push(request.url ?? '');
      request.resume();
      response.writeHead(status, { 'content-type': 'application/json' });
      response.write('{');
      const timer = setInterval(() => response.write(' '), 100);
      this.timers.add(timer);
      response.on('close', () => {
        clearInterval(timer);
        this.timers.delete(timer);
        this.closedAt.push(Date.now());
      });
    });
    server.listen(0, '127.0.0.1');
    this.running = await runningServer(server);
    return this.running.url;
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    await this.running?.close();
  }
}

describe('CloudTraceExporter against Google endpoints that trickle their answers', () => {
  let google: TricklingGoogle;
  let dir: string;
  beforeEach(() => {
    google = new TricklingGoogle();
    dir = mkdtempSync(join(tmpdir(), 'tracewell-stuck-google-'));
  });
  afterEach(async () => {
    await google.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a token request whose answer never ends: the export fails retryable at timeoutMillis, and gaxios closes the connection', async () => {
    const url = await google.start(200);
    // Workload identity federation with a URL-sourced subject token: fetched through the
    // auth client's own gaxios, which is where the exporter's deadline has to reach.
    writeFileSync(
      join(dir, 'credentials.json'),
      JSON.stringify({
        type: 'external_account',
        audience: '//iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/pool/providers/provider',
        subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
        token_url: `${url}/sts/token`,
        credential_source: { url: `${url}/subject-token` },
      }),
    );
    const exporter = new CloudTraceExporter({ keyFilename: join(dir, 'credentials.json'), projectId: 'stuck-project', apiEndpoint: url, timeoutMillis: 1000, logger: quiet });
    const started = Date.now();
    const result = await exporter.export([readableSpan()]);
    expect(Date.now() - started).toBeLessThan(1000 + SLACK_MILLIS);
    expect(result).toMatchObject({ code: 'retryable', error: { message: expect.stringMatching(/^Cloud Trace: no access token/) } });
    expect(google.paths).toEqual(['/subject-token']);
    // The request itself was ended (not just abandoned while it kept the socket open).
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(google.closedAt).toHaveLength(1);
    expect(google.closedAt[0]! - started).toBeLessThan(1000 + SLACK_MILLIS);
  }, 15_000);

  it('a batchWrite answered 200 with an endless body counts as a success after the body bound', async () => {
    const url = await google.start(200);
    const client = new OAuth2Client();
    client.setCredentials({ access_token: 'given-token', expiry_date: Date.now() + 3_600_000 });
    const exporter = new CloudTraceExporter({ authClient: client, projectId: 'stuck-project', apiEndpoint: url, logger: quiet });
    const started = Date.now();
    const result = await exporter.export([readableSpan()]);
    // sendHttpExport reads a body for 2 s at most once the status is known (the request timeout is 10 s).
    expect(Date.now() - started).toBeLessThan(2000 + SLACK_MILLIS);
    expect(result).toEqual({ code: 'success' });
    expect(google.paths).toEqual(['/v2/projects/stuck-project/traces:batchWrite']);
  }, 15_000);
});
