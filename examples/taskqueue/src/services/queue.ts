// node dist/services/queue.js, with PORT (its gRPC port), OTEL_SERVICE_NAME and OTEL_EXPORTER_OTLP_ENDPOINT.
import { createQueue } from '../apps/queue';
import { runService } from '../run-service';

runService('queue', () => createQueue());
