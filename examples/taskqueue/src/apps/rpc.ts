// What the five services share: RPC-style span names and simulated work.

/**
 * Server spans are named after the RPC a route serves (`/QueueService.Report` →
 * `QueueService.Report`), as in the article's trace. Requests that matched no route keep the
 * default name (`GET`), so a stray 404 is not mistaken for a call of the RPC.
 */
export function rpcName(route: unknown): string | undefined {
  return typeof route === 'string' && /^\/[A-Za-z]\w*\.[A-Za-z]\w*$/.test(route) ? route.slice(1) : undefined;
}

/** How long a service takes to do its work, in milliseconds (drawn per request). */
export type Latency = () => number;

/** A latency drawn uniformly between `min` and `max` milliseconds. */
export const between =
  (min: number, max: number): Latency =>
  () =>
    min + Math.random() * (max - min);

/** Stands in for the real work (a database query, a graph layout). */
export const work = (latency: Latency): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, latency())));
