// node dist/services/render.js, with PORT, OTEL_SERVICE_NAME and OTEL_EXPORTER_OTLP_ENDPOINT.
import { createRender } from '../apps/render';
import { runService } from '../run-service';

runService('render', () => createRender());
