import type { ClientTracing } from '@tracewell/core/instrumentation';
import type { InternalAxiosRequestConfig } from 'axios';

// axios's http adapter follows redirects with follow-redirects, which copies the request's
// headers onto every hop. The only per-hop hook it offers is `config.beforeRedirect`, called
// with the next hop's request options (href, hostname, headers...) after axios's own hooks.
type BeforeRedirect = NonNullable<InternalAxiosRequestConfig['beforeRedirect']>;
type HopOptions = Parameters<BeforeRedirect>[0];

interface Guard {
  readonly callers: BeforeRedirect | undefined;
  readonly injected: Readonly<Record<string, string>>;
}

// Our hooks, each with the caller's hook it wraps and the headers it guards.
const guards = new WeakMap<BeforeRedirect, Guard>();

/**
 * Takes our hook off `config`, putting the caller's back (or none), and returns the headers
 * that hook guarded. A retry library resends a copy of a config, hook and headers included,
 * sometimes before our response interceptor has seen the failure: those header values are
 * then ours from the earlier attempt, not the caller's, and must be replaced, not kept.
 */
export function removeRedirectGuard(config: InternalAxiosRequestConfig): Readonly<Record<string, string>> | undefined {
  const hook = config.beforeRedirect;
  const guard = hook === undefined ? undefined : guards.get(hook);
  if (guard === undefined) return undefined;
  if (guard.callers === undefined) delete config.beforeRedirect;
  else config.beforeRedirect = guard.callers;
  return guard.injected;
}

/**
 * On each hop: a host `propagateTo` refuses loses exactly the headers we injected (same name
 * and value, so never one the caller set); an allowed host gets back any that are missing.
 * Without `href` the hop cannot be checked, so it is treated as refused.
 */
function keepToAllowedHosts(options: HopOptions, tracing: ClientTracing, injected: Readonly<Record<string, string>>): void {
  const headers = options.headers as Record<string, unknown> | null | undefined;
  if (headers === null || typeof headers !== 'object') return;
  const href: unknown = options.href;
  const allowed = typeof href === 'string' && tracing.mayPropagateTo(href);
  for (const [name, value] of Object.entries(injected)) {
    const lower = name.toLowerCase();
    let present = false;
    for (const key of Object.keys(headers)) {
      if (key.toLowerCase() !== lower) continue;
      if (!allowed && headers[key] === value) delete headers[key];
      else present = true;
    }
    if (allowed && !present) headers[name] = value;
  }
}

/**
 * Makes `config`'s redirects respect `propagateTo`: sets `config.beforeRedirect` to a hook
 * that checks each hop, then calls the caller's own hook, if any, with the same arguments.
 * Call only when `propagateTo` is set and headers were injected, after {@link removeRedirectGuard}.
 */
export function guardRedirects(config: InternalAxiosRequestConfig, tracing: ClientTracing, injected: Readonly<Record<string, string>>): void {
  const callers = config.beforeRedirect;
  // One closure per guarded request: follow-redirects passes nothing that leads back to it.
  const hook: BeforeRedirect = function tracewellBeforeRedirect(this: unknown, options, responseDetails, requestDetails) {
    try {
      keepToAllowedHosts(options, tracing, injected);
    } catch {
      // Tracing never breaks the request.
    }
    callers?.call(this, options, responseDetails, requestDetails);
  };
  guards.set(hook, { callers, injected });
  config.beforeRedirect = hook;
}
