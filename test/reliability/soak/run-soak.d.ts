// Types of run-soak.js for the TypeScript test (../soak.test.ts). The soak is plain JS because
// `npm run soak` and the service process run it with node, without a TypeScript step.
import type { TracerStats } from '@tracewell/core';

/** Options of {@link runSoak}; all optional. */
export interface SoakOptions {
  /** Requests in total. Default 1,000,000. */
  requests?: number;
  /** Requests before the heap reading that the end is compared with. Default 10,000, or requests/4 below 40,000. */
  checkpoint?: number;
  /** After the checkpoint, the heap is also read at every multiple of this. Default 100,000. */
  step?: number;
  /** autocannon connections. Default 10. */
  connections?: number;
  /** The collector answers after a random delay in [minDelayMillis, maxDelayMillis]. Default 20-50. */
  minDelayMillis?: number;
  maxDelayMillis?: number;
  /** Longest wait after the load for active resources to return to the baseline. Default 10,000. */
  settleMillis?: number;
  /** Longest wait for the service to exit on its own after shutdown. Default 10,000. */
  exitMillis?: number;
  /** Extra node flags for the service process (e.g. `--cpu-prof`). */
  nodeArgs?: readonly string[];
  /** Called with each heap reading as it is taken. */
  onProgress?: (row: SoakRow) => void;
}

/** One heap reading of the service (after flush and gc); load figures are the chunk's. */
export interface SoakRow {
  requests: number;
  heapUsed: number;
  rss: number;
  reqPerSec?: number;
  p50?: number;
  p99?: number;
}

/** Active resources by type (`process.getActiveResourcesInfo()`), e.g. `{ TCPServerWrap: 2 }`. */
export type ResourceCounts = Record<string, number>;

/** The span counters of the service's tracers, summed. */
export interface SpanTotals {
  started: number;
  sampled: number;
  ended: number;
  exported: number;
  dropped: TracerStats['spansDropped'];
  queued: number;
  exportAttempts: number;
  exportFailures: number;
}

export interface SoakResult {
  node: string;
  options: Required<Pick<SoakOptions, 'requests' | 'checkpoint' | 'step' | 'connections' | 'minDelayMillis' | 'maxDelayMillis'>>;
  load: { completed: number; durationSeconds: number; errors: number; timeouts: number; statusCodes: Record<string, number> };
  rows: SoakRow[];
  heap: { atCheckpoint: number; atEnd: number; afterSettle: number };
  resources: { before: ResourceCounts; after: ResourceCounts; settleMillis: number };
  /** stats() of the Express service's tracer (`orders`) and the Koa service's (`stock`) after the final flush. */
  stats: { orders: TracerStats; stock: TracerStats };
  totals: SpanTotals;
  collector: { requests: number; spans: number; badRequests: number; bytes: number };
  /** Warnings the tracers logged, by message (numbers masked as #). */
  warnings: Record<string, number>;
  shutdown: { exitedOnItsOwn: boolean; exitMillis: number; exit: { code: number | null; signal: string | null } | undefined; totals: SpanTotals };
}

/** What went wrong, by area; every list is empty when the soak passed. */
export interface SoakProblems {
  load: string[];
  spans: string[];
  resources: string[];
  heap: string[];
  shutdown: string[];
}

export declare const DEFAULTS: Readonly<Required<Omit<SoakOptions, 'checkpoint' | 'onProgress'>>>;
export declare const DEFAULT_MAX_HEAP_GROWTH_MIB: number;
/** Express SERVER + axios CLIENT + Koa SERVER. */
export declare const SPANS_PER_REQUEST: number;
/** Runs the soak; rejects only when the setup breaks (the service crashes, a port cannot be opened). */
export declare function runSoak(options?: SoakOptions): Promise<SoakResult>;
export declare function findProblems(result: SoakResult, limits?: { maxHeapGrowthMiB?: number }): SoakProblems;
export declare function formatReport(result: SoakResult): string;
export declare function formatRow(row: SoakRow): string;
