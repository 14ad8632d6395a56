import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { appendFile, rename, stat, unlink } from 'node:fs/promises';
import type { StoredSpan } from './stored-span';
import { isStoredSpan } from './stored-span-shape';

/** Settings of a {@link SpanFile}. */
export interface SpanFileOptions {
  /** The JSON-lines file. */
  readonly path: string;
  /** Bound on the file's size: past it, the file is rewritten with the newest spans only. */
  readonly maxBytes: number;
  /** Lines longer than this are skipped unread (a span is at most `maxSpanBytes` as stored). */
  readonly maxLineBytes: number;
  /** Deepest value nesting accepted from the file. */
  readonly maxValueDepth: number;
  /** Told about read and write failures (never thrown at a sender). */
  readonly onError: (error: Error) => void;
}

/** What loading found. */
export interface SpanFileLoad {
  readonly spans: number;
  /** Lines that were not spans (cut short by a crash, too long, or not a span's shape). */
  readonly skipped: number;
}

const NEWLINE = 0x0a;
const LOAD_BATCH = 1000;

/**
 * The `--data FILE` store: spans appended as JSON lines, read back at start a line at a time
 * (never the whole file as one string). Its size is bounded: when an append would pass
 * `maxBytes`, the file is rewritten instead from the spans the viewer holds, newest traces
 * first up to half the bound, so rewrites stay rare. Writes are chained so lines never interleave.
 */
export class SpanFile {
  private queue: Promise<void> = Promise.resolve();
  private bytes = 0;

  /** @param options - path, bounds and error sink */
  constructor(private readonly options: SpanFileOptions) {}

  /**
   * Streams every valid line into `add`, in batches; a file that does not exist yet loads
   * nothing. Skips bad lines and lines over `maxLineBytes` without holding them.
   */
  async load(add: (spans: StoredSpan[]) => void): Promise<SpanFileLoad> {
    try {
      this.bytes = (await stat(this.options.path)).size;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { spans: 0, skipped: 0 };
      throw error;
    }
    let batch: StoredSpan[] = [];
    let spans = 0;
    let skipped = 0;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let overlong = false;
    const line = (text: string): void => {
      if (text.trim() === '') return;
      let span: unknown;
      try {
        span = JSON.parse(text);
      } catch {
        span = undefined;
      }
      if (!isStoredSpan(span, this.options.maxValueDepth)) {
        skipped++;
        return;
      }
      batch.push(span);
      spans++;
      if (batch.length >= LOAD_BATCH) {
        add(batch);
        batch = [];
      }
    };
    for await (const chunk of createReadStream(this.options.path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
      let from = 0;
      while (from < chunk.length) {
        const end = chunk.indexOf(NEWLINE, from);
        const piece = chunk.subarray(from, end === -1 ? chunk.length : end);
        if (!overlong) {
          pending.push(piece);
          pendingBytes += piece.length;
          if (pendingBytes > this.options.maxLineBytes) {
            overlong = true;
            pending = [];
            pendingBytes = 0;
          }
        }
        if (end === -1) break;
        if (overlong) skipped++;
        else line(Buffer.concat(pending, pendingBytes).toString('utf8'));
        pending = [];
        pendingBytes = 0;
        overlong = false;
        from = end + 1;
      }
    }
    if (overlong) skipped++;
    else if (pendingBytes > 0) line(Buffer.concat(pending, pendingBytes).toString('utf8'));
    if (batch.length > 0) add(batch);
    return { spans, skipped };
  }

  /**
   * Appends `spans` after earlier writes; if that would pass the bound, rewrites the file from
   * `held()` (the spans the viewer holds, which include these) instead.
   */
  append(spans: ReadonlyArray<StoredSpan>, held: () => StoredSpan[][]): Promise<void> {
    let text = '';
    for (const span of spans) text += `${JSON.stringify(span)}\n`;
    const size = Buffer.byteLength(text);
    this.queue = this.queue
      .then(async () => {
        if (this.bytes + size > this.options.maxBytes) return this.rewrite(held());
        await appendFile(this.options.path, text);
        this.bytes += size;
      })
      .catch((error: Error) => this.options.onError(error));
    return this.queue;
  }

  /** Rewrites the file now if it is over its bound (e.g. after loading a file written with a larger one). */
  compactIfOver(held: () => StoredSpan[][]): Promise<void> {
    this.queue = this.queue
      .then(() => (this.bytes > this.options.maxBytes ? this.rewrite(held()) : undefined))
      .catch((error: Error) => this.options.onError(error));
    return this.queue;
  }

  /**
   * Writes the newest traces of `traces` (least recently updated first) that fit in half the
   * bound to a temporary file, streamed line by line, then renames it over the file.
   */
  private async rewrite(traces: StoredSpan[][]): Promise<void> {
    const budget = this.options.maxBytes / 2;
    let first = traces.length;
    let total = 0;
    for (let i = traces.length - 1; i >= 0; i--) {
      let size = 0;
      for (const span of traces[i]!) size += Buffer.byteLength(JSON.stringify(span)) + 1;
      if (total + size > budget) break;
      total += size;
      first = i;
    }
    const temporary = `${this.options.path}.${process.pid}.tmp`;
    const out = createWriteStream(temporary);
    const failed = new Promise<never>((_, reject) => out.once('error', reject));
    failed.catch(() => undefined);
    try {
      for (let i = first; i < traces.length; i++) {
        for (const span of traces[i]!) {
          if (!out.write(`${JSON.stringify(span)}\n`)) await Promise.race([once(out, 'drain'), failed]);
        }
      }
      out.end();
      await Promise.race([once(out, 'finish'), failed]);
      await rename(temporary, this.options.path);
      this.bytes = total;
    } catch (error) {
      out.destroy();
      await unlink(temporary).catch(() => undefined);
      throw error;
    }
  }
}
