// The analysis as text, for terminals: the CLI's `analyze` command and the demo print it.
import type { TraceAnalysis } from './trace-analysis';

/** `310 ms`, `1.25 ms`, `2.35 s`: the precision a reader needs at each scale. */
export function formatMs(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 10) return `${Math.round(ms)} ms`;
  if (ms >= 1) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}

/** The verdict and the critical path's largest contributors, one per line. */
export function formatAnalysis(analysis: TraceAnalysis): string {
  const lines = [`Why it was slow: ${analysis.verdict}`];
  if (analysis.contributors.length > 0) {
    lines.push('Critical path, by the time each operation held it:');
    const width = Math.max(...analysis.contributors.map((c) => c.service.length));
    for (const c of analysis.contributors) {
      lines.push(`  ${`${Math.round(c.share * 100)}%`.padStart(4)}  ${formatMs(c.criticalMs).padStart(9)}  ${c.service.padEnd(width)}  ${c.name}`);
    }
  }
  return lines.join('\n');
}
