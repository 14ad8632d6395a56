// node dist/services/system.js, with PORT, OTEL_SERVICE_NAME and OTEL_EXPORTER_OTLP_ENDPOINT.
import { createSystem } from '../apps/system';
import { runService } from '../run-service';

runService('system', () => createSystem());
