import type { Environment } from './environment';

// Reading OpenTelemetry-style variables, for core and for every exporter's own env module, so
// they all treat blank values and precedence the same way.

/** A variable's value, trimmed; `undefined` when unset or blank (OpenTelemetry treats empty as unset). */
export function readEnv(env: Environment, name: string): string | undefined {
  const raw = env[name];
  if (raw === undefined) return undefined;
  const trimmed = raw.trim();
  return trimmed === '' ? undefined : trimmed;
}

/**
 * The first set variable of `names`, with its name: signal-specific names go first, as in
 * `['OTEL_EXPORTER_OTLP_TRACES_TIMEOUT', 'OTEL_EXPORTER_OTLP_TIMEOUT']`.
 *
 * @example
 * const timeout = firstEnv(process.env, ['OTEL_EXPORTER_OTLP_TRACES_TIMEOUT', 'OTEL_EXPORTER_OTLP_TIMEOUT']);
 */
export function firstEnv(env: Environment, names: readonly string[]): { readonly name: string; readonly value: string } | undefined {
  for (const name of names) {
    const value = readEnv(env, name);
    if (value !== undefined) return { name, value };
  }
  return undefined;
}
