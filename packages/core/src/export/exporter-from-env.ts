import type { Environment } from '../config/environment';
import { safeWarn, type Logger } from '../logger';
import type { BatchSpanProcessorOptions } from './batch-span-processor';
import { ConsoleSpanExporter } from './console-span-exporter';
import type { SpanExporter } from './span-exporter';

/** What an exporter package exports so `OTEL_TRACES_EXPORTER` can load it. */
export interface ExporterPackage {
  /** Builds the package's exporter from `OTEL_EXPORTER_*` variables. */
  exporterFromEnv(env: Environment, logger: Logger): SpanExporter;
  /** Batching that suits the backend (e.g. larger batches for a per-call quota); `OTEL_BSP_*` still win. */
  batchDefaults?: BatchSpanProcessorOptions;
}

/** An exporter loaded from the environment, with the batching its package recommends. */
export interface LoadedExporter {
  exporter: SpanExporter;
  batchDefaults?: BatchSpanProcessorOptions;
}

/** Exporter names of `OTEL_TRACES_EXPORTER` served by separate packages. */
export const EXPORTER_PACKAGES: Readonly<Record<string, string>> = {
  otlp: '@tracewell/otlp',
  zipkin: '@tracewell/zipkin',
  'cloud-trace': '@tracewell/cloud-trace',
};

const SUPPORTED = ['none', 'console', ...Object.keys(EXPORTER_PACKAGES)].join(', ');

/** Loads a module by name; {@link requireExporterPackage} by default (tests pass their own). */
export type ModuleLoader = (id: string) => unknown;

/**
 * Loads one of the {@link EXPORTER_PACKAGES}. Each `require` is a literal inside this `try`, so a
 * bundler (esbuild, webpack) bundles the exporter packages that are installed and leaves the
 * others as a `require` that fails at run time: a bundled service exports exactly as it does
 * unbundled. A computed `require(id)` was invisible to bundlers, so a bundle exported nothing.
 */
function requireExporterPackage(id: string): unknown {
  try {
    switch (id) {
      case '@tracewell/otlp':
        return require('@tracewell/otlp');
      case '@tracewell/zipkin':
        return require('@tracewell/zipkin');
      case '@tracewell/cloud-trace':
        return require('@tracewell/cloud-trace');
      default:
        throw Object.assign(new Error(`Cannot find module '${id}'`), { code: 'MODULE_NOT_FOUND' });
    }
  } catch (error) {
    // Rethrown as is: load() tells a missing package from one that failed to load.
    throw error;
  }
}

function isMissing(error: unknown, id: string): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  return e !== null && typeof e === 'object' && e.code === 'MODULE_NOT_FOUND' && typeof e.message === 'string' && e.message.includes(`'${id}'`);
}

function load(name: string, env: Environment, logger: Logger, loader: ModuleLoader, explicit: boolean): LoadedExporter | undefined {
  const id = EXPORTER_PACKAGES[name]!;
  let loaded: unknown;
  try {
    loaded = loader(id);
  } catch (error) {
    if (isMissing(error, id)) {
      if (explicit) safeWarn(logger, `OTEL_TRACES_EXPORTER=${name} needs the ${id} package (npm install ${id}); spans are not exported`);
      return undefined;
    }
    safeWarn(logger, `OTEL_TRACES_EXPORTER=${name}: loading ${id} failed (${error instanceof Error ? error.message : String(error)}); spans are not exported`);
    return undefined;
  }
  const pkg = loaded as Partial<ExporterPackage> | null;
  const factory = pkg?.exporterFromEnv;
  if (typeof factory !== 'function') {
    safeWarn(logger, `OTEL_TRACES_EXPORTER=${name}: ${id} has no exporterFromEnv(); update it to the version matching @tracewell/core`);
    return undefined;
  }
  try {
    const exporter = factory(env, logger);
    return pkg?.batchDefaults === undefined ? { exporter } : { exporter, batchDefaults: pkg.batchDefaults };
  } catch (error) {
    safeWarn(logger, `OTEL_TRACES_EXPORTER=${name}: ${error instanceof Error ? error.message : String(error)}; spans are not exported`);
    return undefined;
  }
}

/**
 * The exporters named by `OTEL_TRACES_EXPORTER` (a comma list): `none`, `console`, or `otlp`,
 * `zipkin`, `cloud-trace`, each loaded only if its package is installed (a warning names the
 * package to install when it is not). Unset: `otlp` when `@tracewell/otlp` is installed,
 * otherwise none, silently.
 */
export function exportersFromEnv(env: Environment, logger: Logger, loader: ModuleLoader = requireExporterPackage): LoadedExporter[] {
  const raw = env.OTEL_TRACES_EXPORTER?.trim();
  if (raw === undefined || raw === '') {
    const otlp = load('otlp', env, logger, loader, false);
    return otlp === undefined ? [] : [otlp];
  }
  const exporters: LoadedExporter[] = [];
  for (const name of raw.split(',').map((n) => n.trim().toLowerCase()).filter((n) => n !== '')) {
    if (name === 'none') return [];
    if (name === 'console') exporters.push({ exporter: new ConsoleSpanExporter() });
    else if (Object.prototype.hasOwnProperty.call(EXPORTER_PACKAGES, name)) {
      const exporter = load(name, env, logger, loader, true);
      if (exporter !== undefined) exporters.push(exporter);
    } else safeWarn(logger, `OTEL_TRACES_EXPORTER: ignoring unsupported ${JSON.stringify(name)} (supported: ${SUPPORTED})`);
  }
  return exporters;
}
