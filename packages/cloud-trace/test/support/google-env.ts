import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

// Points google-auth-library at the local FakeGoogle and nothing else: no real credentials,
// project or metadata server of the machine running the tests can leak in.
const VARIABLES = ['GCE_METADATA_HOST', 'GCE_METADATA_IP', 'METADATA_SERVER_DETECTION', 'GOOGLE_APPLICATION_CREDENTIALS', 'GOOGLE_CLOUD_PROJECT', 'GCLOUD_PROJECT', 'GOOGLE_CLOUD_QUOTA_PROJECT', 'CLOUDSDK_CONFIG', 'PATH'];

// google-auth-library asks the gcloud CLI for the project before the metadata server. Where
// gcloud is installed that takes seconds and may reach the network, so the tests put a gcloud
// that fails at once first on PATH: the library moves on to the local metadata server.
let failingGcloudDir: string | undefined;
function failingGcloud(): string {
  if (failingGcloudDir === undefined) {
    failingGcloudDir = mkdtempSync(join(tmpdir(), 'tracewell-no-gcloud-'));
    const script = join(failingGcloudDir, 'gcloud');
    writeFileSync(script, '#!/bin/sh\nexit 1\n');
    chmodSync(script, 0o755);
  }
  return failingGcloudDir;
}

/** Sets the variables for one test and returns a function that restores the previous values. */
export function googleEnv(values: Record<string, string>): () => void {
  const saved = new Map(VARIABLES.map((name) => [name, process.env[name]]));
  const path = process.env.PATH;
  for (const name of VARIABLES) delete process.env[name];
  process.env.PATH = path === undefined ? failingGcloud() : `${failingGcloud()}${delimiter}${path}`;
  // An empty gcloud config dir: a developer's own `gcloud auth application-default login` is ignored.
  process.env.CLOUDSDK_CONFIG = '/nonexistent-tracewell-test';
  Object.assign(process.env, values);
  return () => {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}
