import { subscribe, unsubscribe } from 'node:diagnostics_channel';

/** A diagnostics channel's name and what to do with its messages. */
export type ChannelHandlers = ReadonlyArray<readonly [name: string, handler: (message: unknown) => void]>;

/**
 * Subscribes each handler to its channel, guarded so that it never throws into the client
 * (tracing never breaks a request: it goes on untraced). Returns the unsubscribe.
 */
export function subscribeAll(handlers: ChannelHandlers): () => void {
  const guarded = handlers.map(([name, handler]) => {
    const guard = (message: unknown): void => {
      try {
        handler(message);
      } catch {
        // The request goes on untraced.
      }
    };
    subscribe(name, guard);
    return [name, guard] as const;
  });
  return () => {
    for (const [name, guard] of guarded) unsubscribe(name, guard);
  };
}
