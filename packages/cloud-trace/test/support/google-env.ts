// Points google-auth-library at the local FakeGoogle and nothing else: no real credentials,
// project or metadata server of the machine running the tests can leak in.
const VARIABLES = ['GCE_METADATA_HOST', 'GCE_METADATA_IP', 'METADATA_SERVER_DETECTION', 'GOOGLE_APPLICATION_CREDENTIALS', 'GOOGLE_CLOUD_PROJECT', 'GCLOUD_PROJECT', 'GOOGLE_CLOUD_QUOTA_PROJECT', 'CLOUDSDK_CONFIG'];

/** Sets the variables for one test and returns a function that restores the previous values. */
export function googleEnv(values: Record<string, string>): () => void {
  const saved = new Map(VARIABLES.map((name) => [name, process.env[name]]));
  for (const name of VARIABLES) delete process.env[name];
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
