// node dist/services/auth.js, with PORT, OTEL_SERVICE_NAME and OTEL_EXPORTER_OTLP_ENDPOINT.
import { createAuth } from '../apps/auth';
import { runService } from '../run-service';

runService('auth', () => createAuth());
