import { addAttributes, emptyAttributes, type Attributes, type AttributesInput } from './attributes';
import { VERSION } from './version';

/** What produced the spans: at least `service.name`, plus any attributes the user adds. */
export interface Resource {
  readonly attributes: Attributes;
}

/** OpenTelemetry's default service name when none is configured. */
export const DEFAULT_SERVICE_NAME = `unknown_service:node`;

/**
 * Builds the resource: SDK attributes, then the user's, then `service.name` (the explicit
 * service name wins over a `service.name` attribute, as `OTEL_SERVICE_NAME` does in OpenTelemetry).
 */
export function createResource(serviceName: string | undefined, attributes: AttributesInput | undefined): Resource {
  const merged = emptyAttributes();
  addAttributes(
    merged,
    0,
    {
      'telemetry.sdk.name': 'tracewell',
      'telemetry.sdk.language': 'nodejs',
      'telemetry.sdk.version': VERSION,
      ...attributes,
    },
    Infinity,
    Infinity,
  );
  merged['service.name'] = serviceName ?? (typeof merged['service.name'] === 'string' ? merged['service.name'] : DEFAULT_SERVICE_NAME);
  return Object.freeze({ attributes: Object.freeze(merged) });
}
