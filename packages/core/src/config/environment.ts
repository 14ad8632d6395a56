/** An environment: `process.env` or a plain object in tests. */
export type Environment = Readonly<Record<string, string | undefined>>;
