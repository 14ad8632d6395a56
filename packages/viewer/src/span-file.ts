import { appendFile, readFile } from 'node:fs/promises';
import type { StoredSpan } from './stored-span';

/**
 * The `--data FILE` store: spans appended as JSON lines, read back at start. Appends are
 * chained so lines never interleave; a failed write is reported, never thrown at a sender.
 */
export class SpanFile {
  private queue: Promise<void> = Promise.resolve();

  /**
   * @param path - the JSON-lines file
   * @param onError - told about write failures
   */
  constructor(
    private readonly path: string,
    private readonly onError: (error: Error) => void,
  ) {}

  /** Reads every valid line (a truncated or corrupt line is skipped); none if the file does not exist yet. */
  async load(): Promise<StoredSpan[]> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const spans: StoredSpan[] = [];
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      try {
        const span = JSON.parse(line) as StoredSpan;
        if (typeof span.traceId === 'string' && typeof span.spanId === 'string') spans.push(span);
      } catch {
        // a line cut short by a crash: skip it
      }
    }
    return spans;
  }

  /** Appends spans (in order with earlier appends). */
  append(spans: ReadonlyArray<StoredSpan>): Promise<void> {
    const text = spans.map((s) => `${JSON.stringify(s)}\n`).join('');
    this.queue = this.queue.then(() => appendFile(this.path, text)).catch((error: Error) => this.onError(error));
    return this.queue;
  }
}
