// node dist/services/frontend.js, with PORT, OTEL_SERVICE_NAME, OTEL_EXPORTER_OTLP_ENDPOINT and
// AUTH_URL, QUEUE_URL (a gRPC target, host:port), SYSTEM_URL, RENDER_URL (the demo sets them all).
import { createFrontend } from '../apps/frontend';
import { requireEnv, runService } from '../run-service';

runService('frontend', () =>
  createFrontend({ authUrl: requireEnv('AUTH_URL'), queueTarget: requireEnv('QUEUE_URL'), systemUrl: requireEnv('SYSTEM_URL'), renderUrl: requireEnv('RENDER_URL') }),
);
