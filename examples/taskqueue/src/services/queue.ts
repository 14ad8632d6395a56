// node dist/services/queue.js, with PORT, OTEL_SERVICE_NAME and OTEL_EXPORTER_OTLP_ENDPOINT.
import { createQueue } from '../apps/queue';
import { runService } from '../run-service';

runService('queue', () => createQueue());
