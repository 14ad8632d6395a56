import { GoogleAuth, type AuthClient, type GoogleAuthOptions } from 'google-auth-library';

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
 * they expire.
 */
export class GoogleCredentials {
  private readonly auth: GoogleAuth;

  /**
   * @param options - explicit credentials, if any
   * @param scopes - OAuth scopes to request
   * @param projectId - a project id given in code (wins over detection)
   */
  constructor(options: CredentialOptions, scopes: string[], projectId: string | undefined) {
    this.auth = new GoogleAuth({
      scopes,
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

  /** Authorization headers for one request, as a plain object. */
  async headers(): Promise<Record<string, string>> {
    const headers = (await this.auth.getRequestHeaders()) as unknown;
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
