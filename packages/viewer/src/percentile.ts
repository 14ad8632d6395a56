/** The p-th percentile (0-100) of ascending `sorted` by nearest rank; 0 for none. */
export function percentile(sorted: ReadonlyArray<number>, p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** Rounds to microseconds, as durations are shown. */
export function roundMs(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
