import { truncate, type TruncatableString } from './truncatable-string';

/** Cloud Trace v2 StackTrace.StackFrame (the fields a V8 stack gives). */
export interface StackFrame {
  functionName?: TruncatableString;
  fileName?: TruncatableString;
  lineNumber?: string;
  columnNumber?: string;
}

/** Cloud Trace v2 StackTrace. */
export interface StackTrace {
  stackFrames: { frame: StackFrame[]; droppedFramesCount?: number };
}

const MAX_FRAMES = 128;
const MAX_NAME_BYTES = 1024;
// V8 frames: "    at fn (file:line:col)" or "    at file:line:col". Anchored, no nested
// quantifiers: linear on any input.
// "async " marks frames of async functions; it is neither part of the name nor of the file.
const WITH_NAME = /^\s*at (?:async )?(.+?) \((.+):(\d+):(\d+)\)$/;
const WITHOUT_NAME = /^\s*at (?:async )?(.+):(\d+):(\d+)$/;

/** Parses a V8 `error.stack` into Cloud Trace frames (at most 128, the API limit). */
export function parseStackTrace(stack: string): StackTrace | undefined {
  const frames: StackFrame[] = [];
  let dropped = 0;
  for (const line of stack.split(/\r?\n/, 10_000)) {
    if (line.length > 4096) continue;
    const named = WITH_NAME.exec(line);
    const bare = named === null ? WITHOUT_NAME.exec(line) : null;
    if (named === null && bare === null) continue;
    if (frames.length === MAX_FRAMES) {
      dropped++;
      continue;
    }
    const [functionName, fileName, lineNumber, columnNumber] = named !== null ? named.slice(1) : ['', ...bare!.slice(1)];
    const frame: StackFrame = { fileName: truncate(fileName!, MAX_NAME_BYTES), lineNumber, columnNumber };
    if (functionName !== '') frame.functionName = truncate(functionName!, MAX_NAME_BYTES);
    frames.push(frame);
  }
  if (frames.length === 0) return undefined;
  return { stackFrames: dropped === 0 ? { frame: frames } : { frame: frames, droppedFramesCount: dropped } };
}
