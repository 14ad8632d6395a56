import { consoleLogger, currentSpan, type ExportOptions, type ExportResult, type Logger, type ReadableSpan, type Span, type SpanExporter } from '@tracewell/core';
import { invalidOption, isHttpUrl, RateLimitedWarnings, sendHttpExport } from '@tracewell/core/exporter';
import { OTLPTraceExporter } from '@tracewell/otlp';
import type { AuthClient, GoogleAuthOptions } from 'google-auth-library';
import { toCloudTraceSpan } from './cloud-trace-span';
import { GoogleCredentials } from './google-credentials';
import { logFieldsFor, type CloudLogFields } from './log-fields';

/** Options of {@link CloudTraceExporter}. All optional: on Google Cloud nothing needs setting. */
export interface CloudTraceExporterOptions {
  /** `cloudtrace-v2` (default): the Cloud Trace API; `otlp`: OTLP to Google's Telemetry API. */
  protocol?: 'cloudtrace-v2' | 'otlp';
  /** The project to write to. Default: GOOGLE_CLOUD_PROJECT / GCLOUD_PROJECT, the credentials, or the metadata server. */
  projectId?: string;
  /** Cloud Trace API root. Default `https://cloudtrace.googleapis.com`. */
  apiEndpoint?: string;
  /** OTLP traces URL of the Telemetry API. Default `https://telemetry.googleapis.com/v1/traces`. */
  otlpUrl?: string;
  /** A google-auth-library client you built. */
  authClient?: AuthClient;
  /** Credentials JSON (service account, external account), already parsed. */
  credentials?: GoogleAuthOptions['credentials'];
  /** Path of a credentials JSON file. */
  keyFilename?: string;
  /** Spans per API call (cloudtrace-v2). Default 1000: the quota counts calls, not spans. */
  maxSpansPerCall?: number;
  /**
   * Deadline for each request, in ms, token requests included: connect, send, status and body
   * (the body gets at most 2 s of it, and 64 KiB). Default 10000.
   */
  timeoutMillis?: number;
  /** Where configuration problems are reported (once a minute at most per cause). Default: console. */
  logger?: Logger;
}

/** Batching for Cloud Trace: larger batches, since the quota (4,800 calls a minute per project) counts calls. */
export const CLOUD_TRACE_BATCH_DEFAULTS = Object.freeze({ maxQueueSize: 4096, maxExportBatchSize: 1000, scheduledDelayMillis: 5000 });

const TRACE_APPEND = 'https://www.googleapis.com/auth/trace.append';
const CLOUD_PLATFORM = 'https://www.googleapis.com/auth/cloud-platform';

function checkUrl(value: string, option: string): string {
  if (!isHttpUrl(value)) throw invalidOption(option, 'an http: or https: URL', value);
  return value.replace(/\/+$/, '');
}

/** The API's own error message from an error body (`{ error: { message } }`), if any. */
function apiMessage(body: Buffer | undefined): string | undefined {
  if (body === undefined || body.length === 0) return undefined;
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { error?: { message?: unknown } };
    return typeof parsed.error?.message === 'string' ? parsed.error.message : undefined;
  } catch {
    return body.toString('utf8').slice(0, 200);
  }
}

/**
 * Exports spans to Google Cloud Trace, authenticated with Application Default Credentials
 * (a key file in GOOGLE_APPLICATION_CREDENTIALS, the GCE / GKE / Cloud Run metadata server,
 * workload identity federation) or credentials you pass. Two roads:
 *
 * - `cloudtrace-v2` (default): `projects/{p}/traces:batchWrite`, with every API limit enforced
 *   before sending (see `toCloudTraceSpan`), up to 1,000 spans a call.
 * - `otlp`: OTLP/HTTP protobuf to the Telemetry API, through `@tracewell/otlp`, with the token
 *   and `x-goog-user-project` supplied per request and the resource attribute `gcp.project_id`.
 *
 * Retryable: 429, 5xx and network errors (Retry-After honoured, by the batch processor).
 * Permanent: 400, 403, 404, logged with the API's own message. A 401 refreshes the token once.
 * Without a project id, spans are dropped (and counted), with one clear warning.
 *
 * @example
 * const tracer = createTracer({ serviceName: 'frontend', exporter: new CloudTraceExporter(), batch: CLOUD_TRACE_BATCH_DEFAULTS });
 */
export class CloudTraceExporter implements SpanExporter {
  private readonly protocol: 'cloudtrace-v2' | 'otlp';
  private readonly apiEndpoint: string;
  private readonly otlpUrl: string;
  private readonly maxSpansPerCall: number;
  private readonly timeoutMillis: number;
  private readonly credentials: GoogleCredentials;
  private readonly warnings: RateLimitedWarnings;
  private readonly logger: Logger;
  private project: Promise<string | undefined> | undefined;
  private knownProjectId: string | undefined;
  private otlp: OTLPTraceExporter | undefined;

  /** @param options - protocol, project, endpoints, credentials; all optional */
  constructor(options: CloudTraceExporterOptions = {}) {
    if (options === null || typeof options !== 'object') throw invalidOption('CloudTraceExporter(options)', 'an object', options);
    const { protocol = 'cloudtrace-v2', projectId, maxSpansPerCall = 1000, timeoutMillis = 10_000 } = options;
    if (protocol !== 'cloudtrace-v2' && protocol !== 'otlp') throw invalidOption('CloudTraceExporter.protocol', '"cloudtrace-v2" or "otlp"', protocol);
    if (projectId !== undefined && (typeof projectId !== 'string' || !/^[a-z][a-z0-9:.-]{3,62}$/i.test(projectId))) {
      throw invalidOption('CloudTraceExporter.projectId', 'a Google Cloud project id', projectId);
    }
    if (!Number.isInteger(maxSpansPerCall) || maxSpansPerCall < 1) throw invalidOption('CloudTraceExporter.maxSpansPerCall', 'a positive integer', maxSpansPerCall);
    if (typeof timeoutMillis !== 'number' || !(timeoutMillis > 0)) throw invalidOption('CloudTraceExporter.timeoutMillis', 'a positive number of milliseconds', timeoutMillis);
    this.protocol = protocol;
    this.apiEndpoint = checkUrl(options.apiEndpoint ?? 'https://cloudtrace.googleapis.com', 'CloudTraceExporter.apiEndpoint');
    this.otlpUrl = checkUrl(options.otlpUrl ?? 'https://telemetry.googleapis.com/v1/traces', 'CloudTraceExporter.otlpUrl');
    this.maxSpansPerCall = maxSpansPerCall;
    this.timeoutMillis = timeoutMillis;
    this.logger = options.logger ?? consoleLogger;
    this.warnings = new RateLimitedWarnings(this.logger);
    this.knownProjectId = projectId;
    this.credentials = new GoogleCredentials(options, [protocol === 'otlp' ? CLOUD_PLATFORM : TRACE_APPEND], projectId, timeoutMillis);
  }

  /**
   * Resolves the project id (once; the first export does it too). Resolves to `undefined`
   * when none can be found, after one warning that says where it was looked for.
   */
  projectId(): Promise<string | undefined> {
    this.project ??= this.credentials.projectId().then(
      (id) => (this.knownProjectId = id),
      (error: unknown) => {
        this.warnings.warn(
          'project',
          `Cloud Trace: no Google Cloud project id (set projectId, GOOGLE_CLOUD_PROJECT, or run on Google Cloud): ${error instanceof Error ? error.message : String(error)}. Spans are dropped.`,
        );
        return undefined;
      },
    );
    return this.project;
  }

  /**
   * Cloud Logging fields that attach a log entry to its trace, for the given span (default: the
   * active one): `{ 'logging.googleapis.com/trace', '.../spanId', '.../trace_sampled' }`.
   * Empty outside a span or before the project id is known (given, or after the first export).
   *
   * @example
   * const logger = pino({ mixin: () => exporter.logFields() });
   */
  logFields(span: Span | undefined = currentSpan()): CloudLogFields | Record<string, never> {
    return logFieldsFor(span, this.knownProjectId);
  }

  async export(spans: ReadonlyArray<ReadableSpan>, options?: ExportOptions): Promise<ExportResult> {
    const projectId = await this.projectId();
    if (projectId === undefined) return { code: 'failed', error: new Error('no Google Cloud project id') };
    if (this.protocol === 'otlp') return this.otlpExporter(projectId).export(spans, options);
    for (let i = 0; i < spans.length; i += this.maxSpansPerCall) {
      const result = await this.batchWrite(projectId, spans.slice(i, i + this.maxSpansPerCall), options?.signal);
      // Stop at the first failed call and report what went before it, so the processor counts
      // those spans as exported and retries only the rest.
      if (result.code !== 'success') return i === 0 ? result : { ...result, accepted: i };
    }
    return { code: 'success' };
  }

  private async batchWrite(projectId: string, spans: ReadonlyArray<ReadableSpan>, signal: AbortSignal | undefined): Promise<ExportResult> {
    const body = JSON.stringify({ spans: spans.map((span) => toCloudTraceSpan(span, projectId)) });
    const url = `${this.apiEndpoint}/v2/projects/${encodeURIComponent(projectId)}/traces:batchWrite`;
    for (let attempt = 1; ; attempt++) {
      let auth: Record<string, string>;
      try {
        auth = await this.credentials.headers();
      } catch (error) {
        return { code: 'retryable', error: new Error(`Cloud Trace: no access token: ${error instanceof Error ? error.message : String(error)}`) };
      }
      const response = await sendHttpExport({ url, body, headers: { ...auth, 'content-type': 'application/json' }, signal, timeoutMillis: this.timeoutMillis });
      if (response.statusCode === 401 && attempt === 1) {
        await this.credentials.expireToken().catch(() => undefined);
        continue;
      }
      if (response.result.code === 'failed' && response.statusCode !== undefined) {
        // The batch processor logs the drop (rate-limited) with this message: the API's own words.
        const message = apiMessage(response.body) ?? `HTTP ${response.statusCode}`;
        return { code: 'failed', error: new Error(`Cloud Trace rejected the batch (${response.statusCode}): ${message}`) };
      }
      return response.result;
    }
  }

  private otlpExporter(projectId: string): OTLPTraceExporter {
    this.otlp ??= new OTLPTraceExporter({
      // Google's endpoint, not whatever OTEL_EXPORTER_OTLP_* name: their headers (another
      // backend's api key) must not reach Google, nor their compression or protocol apply.
      env: {},
      url: this.otlpUrl,
      headers: async () => ({ ...(await this.credentials.headers()), 'x-goog-user-project': projectId }),
      resource: { 'gcp.project_id': projectId },
      timeoutMillis: this.timeoutMillis,
      logger: this.logger,
    });
    return this.otlp;
  }

  async shutdown(): Promise<void> {
    await this.otlp?.shutdown();
  }
}
