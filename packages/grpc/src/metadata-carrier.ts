import type { HeaderMap } from '@tracewell/core';
import type { Metadata } from '@grpc/grpc-js';

/**
 * gRPC metadata as the tracer's propagators read and write headers: `get` gives the first
 * string value of a key (metadata keys are lowercase), `set` replaces it.
 */
export function metadataCarrier(metadata: Metadata): HeaderMap {
  return {
    get: (name: string) => {
      const values = metadata.get(name);
      const text = values.filter((value): value is string => typeof value === 'string');
      return text.length === 0 ? undefined : text.length === 1 ? text[0] : text;
    },
    set: (name: string, value: string) => metadata.set(name, value),
  };
}
