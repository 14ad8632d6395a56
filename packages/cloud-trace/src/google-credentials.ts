import { GoogleAuth, type AuthClient, type GoogleAuthOptions } from 'google-auth-library';

/** `promise`, or a rejection after `ms` (an unref'd timer: the wait alone never holds the process). */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** How the exporter authenticates: Application Default Credentials unless told otherwise. */
export interface CredentialOptions {
  /** A client you built (e.g. impersonated credentials). */
  authClient?: AuthClient;
  /** Service-account or external-account JSON, already parsed. */
  credentials?: GoogleAuthOptions['credentials'];
  /** Path of a credentials JSON file. */
  keyFilename?: string;
}

/**
 * One google-auth-library GoogleAuth per exporter: it finds the credentials once (key file,
 * metadata server, workload identity, ...), caches the client, and refreshes tokens before
 * they expire. Token requests are bounded: gaxios gets `timeoutMillis` as a deadline for each
 * request (body included), and `headers()` gives up after it whatever the client does.
 */
export class GoogleCredentials {
  private readonly auth: GoogleAuth;
  private readonly timeoutMillis: number;

  /**
   * @param options - explicit credentials, if any
   * @param scopes - OAuth scopes to request
   * @param projectId - a project id given in code (wins over detection)
   * @param timeoutMillis - the longest wait for a token
   */
  constructor(
    options: CredentialOptions,
    scopes: string[],
    projectId: string | undefined,
    timeoutMillis: number,
  ) {
    // A Node timer past 2^31-1 ms (Infinity included) fires after 1 ms.
    this.timeoutMillis = Math.min(timeoutMillis, 2 ** 31 - 1);
    this.auth = new GoogleAuth({
      scopes,
      // gaxios has no timeout by default: a token endpoint that trickles its answer would hold
      // the export (and the process) for as long as it likes. Not used with an authClient given.
      clientOptions: { transporterOptions: { timeout: this.timeoutMillis } },
      ...(projectId === undefined ? {} : { projectId }),
      ...(options.authClient === undefined ? {} : { authClient: options.authClient }),
      ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
      ...(options.keyFilename === undefined ? {} : { keyFilename: options.keyFilename }),
    });
  }

  /** The project: as given, else GOOGLE_CLOUD_PROJECT / GCLOUD_PROJECT, the credentials file, or the metadata server. */
  projectId(): Promise<string> {
    return this.auth.getProjectId();
  }

  /**
   * Authorization headers for one request, as a plain object. Rejects after `timeoutMillis`
   * (clients we do not configure, such as the metadata server's on Google Cloud, have none).
   */
  async headers(): Promise<Record<string, string>> {
    const headers = (await within(this.auth.getRequestHeaders(), this.timeoutMillis, 'access token')) as unknown;
    const out: Record<string, string> = {};
    if (headers !== null && typeof (headers as Headers).forEach === 'function') (headers as Headers).forEach((value, key) => (out[key] = value));
    else Object.assign(out, headers);
    return out;
  }

  /**
   * Makes the next request fetch a new token (after a 401): the cached token is marked
   * expired, refresh tokens and the client itself are kept.
   */
  async expireToken(): Promise<void> {
    const client = (await this.auth.getClient()) as unknown as {
      credentials?: { expiry_date?: number | null };
      cachedAccessToken?: { expiry_date?: number | null } | null;
    };
    if (client.credentials !== undefined) client.credentials.expiry_date = 1;
    if (client.cachedAccessToken !== undefined && client.cachedAccessToken !== null) client.cachedAccessToken.expiry_date = 1;
  }
}
