// The helpers both kits hand out: adapters and exporters validate options, read the
// environment, warn and print URLs the same way. Re-exported by instrumentation.ts and
// exporter.ts; not an entry point of its own.
export { invalidOption } from './errors';
export { RateLimitedWarnings } from './diagnostics';
export { safeWarn } from './logger';
export { firstEnv, readEnv } from './config/env-reader';
export { urlForMessages } from './url-for-messages';
export { httpUrlProblem, isHttpUrl } from './http/http-url';
