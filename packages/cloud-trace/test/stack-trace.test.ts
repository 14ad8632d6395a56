import { parseStackTrace, type StackFrame } from '../src/stack-trace';

interface Row {
  readonly rule: string;
  readonly line: string;
  readonly frame: StackFrame;
}

// One V8 frame line each, and the exact Cloud Trace frame expected.
const frames: Row[] = [
  {
    rule: 'named frame',
    line: '    at handle (/srv/app/server.js:10:5)',
    frame: { functionName: { value: 'handle' }, fileName: { value: '/srv/app/server.js' }, lineNumber: '10', columnNumber: '5' },
  },
  {
    rule: 'method on an object',
    line: '    at Object.<anonymous> (/srv/app/index.js:1:23)',
    frame: { functionName: { value: 'Object.<anonymous>' }, fileName: { value: '/srv/app/index.js' }, lineNumber: '1', columnNumber: '23' },
  },
  {
    rule: 'constructor',
    line: '    at new Repository (/srv/app/repo.js:42:11)',
    frame: { functionName: { value: 'new Repository' }, fileName: { value: '/srv/app/repo.js' }, lineNumber: '42', columnNumber: '11' },
  },
  {
    rule: 'node: built-in module',
    line: '    at listOnTimeout (node:internal/timers:581:17)',
    frame: { functionName: { value: 'listOnTimeout' }, fileName: { value: 'node:internal/timers' }, lineNumber: '581', columnNumber: '17' },
  },
  {
    rule: 'file URL (ES module)',
    line: '    at main (file:///srv/app/main.mjs:7:3)',
    frame: { functionName: { value: 'main' }, fileName: { value: 'file:///srv/app/main.mjs' }, lineNumber: '7', columnNumber: '3' },
  },
  {
    rule: 'Windows path with a drive colon',
    line: '    at run (C:\\app\\main.js:7:9)',
    frame: { functionName: { value: 'run' }, fileName: { value: 'C:\\app\\main.js' }, lineNumber: '7', columnNumber: '9' },
  },
  {
    rule: 'anonymous frame: no function name',
    line: '    at /srv/app/server.js:3:14',
    frame: { fileName: { value: '/srv/app/server.js' }, lineNumber: '3', columnNumber: '14' },
  },
  {
    rule: 'anonymous frame in an ES module',
    line: '    at file:///srv/app/main.mjs:12:1',
    frame: { fileName: { value: 'file:///srv/app/main.mjs' }, lineNumber: '12', columnNumber: '1' },
  },
  {
    rule: 'a frame without leading spaces',
    line: 'at handle (/srv/app/server.js:10:5)',
    frame: { functionName: { value: 'handle' }, fileName: { value: '/srv/app/server.js' }, lineNumber: '10', columnNumber: '5' },
  },
];

const frameLine = (i: number): string => `    at f${i} (/srv/app/deep.js:${i + 1}:${i + 2})`;

describe('parseStackTrace', () => {
  it.each(frames)('$rule', ({ line, frame }) => {
    expect(parseStackTrace(`Error: boom\n${line}`)).toEqual({ stackFrames: { frame: [frame] } });
  });

  it('keeps frames in order and ignores lines that are not frames', () => {
    const stack = [
      'TypeError: cannot read properties of undefined',
      '    at outer (/srv/a.js:1:2)',
      '',
      '    at Array.map (<anonymous>)',
      '    at async Promise.all (index 0)',
      '    some note a logger added',
      '    at /srv/b.js:3:4',
    ].join('\n');
    expect(parseStackTrace(stack)).toEqual({
      stackFrames: {
        frame: [
          { functionName: { value: 'outer' }, fileName: { value: '/srv/a.js' }, lineNumber: '1', columnNumber: '2' },
          { fileName: { value: '/srv/b.js' }, lineNumber: '3', columnNumber: '4' },
        ],
      },
    });
  });

  it.each([
    ['the empty string', ''],
    ['a message without frames', 'Error: boom'],
    ['plain prose', 'hello world\nthis is not a stack'],
    ['frames without positions', 'Error\n    at Array.map (<anonymous>)\n    at async Promise.all (index 0)'],
    ['a position that is not numeric', '    at f (/srv/a.js:x:y)'],
    ['binary garbage', '\u0000\u0001\uffff))((::'],
  ])('returns undefined for %s', (_name, stack) => {
    expect(parseStackTrace(stack)).toBeUndefined();
  });

  it('parses the stack of a real nested call', () => {
    function inner(): string {
      return new Error('nested').stack ?? '';
    }
    function outer(): string {
      return inner();
    }
    const parsed = parseStackTrace(outer());
    expect(parsed).toBeDefined();
    const [first, second] = parsed!.stackFrames.frame;
    expect(first?.functionName?.value).toBe('inner');
    expect(second?.functionName?.value).toBe('outer');
    expect(first?.fileName?.value).toBe(__filename);
    expect(second?.fileName?.value).toBe(__filename);
    for (const frame of [first!, second!]) {
      expect(frame.lineNumber).toMatch(/^[1-9]\d*$/);
      expect(frame.columnNumber).toMatch(/^[1-9]\d*$/);
    }
    // `outer` calls `inner` three lines below where `inner` builds the error.
    expect(Number(second!.lineNumber)).toBe(Number(first!.lineNumber) + 3);
  });

  it('keeps at most 128 frames and counts the rest', () => {
    const stack = ['Error: deep', ...Array.from({ length: 130 }, (_, i) => frameLine(i))].join('\n');
    const parsed = parseStackTrace(stack)!;
    expect(parsed.stackFrames.frame).toHaveLength(128);
    expect(parsed.stackFrames.droppedFramesCount).toBe(2);
    expect(parsed.stackFrames.frame[0]?.functionName?.value).toBe('f0');
    expect(parsed.stackFrames.frame[127]?.functionName?.value).toBe('f127');
  });

  it('has no droppedFramesCount with exactly 128 frames', () => {
    const stack = Array.from({ length: 128 }, (_, i) => frameLine(i)).join('\n');
    const parsed = parseStackTrace(stack)!;
    expect(parsed.stackFrames.frame).toHaveLength(128);
    expect(parsed.stackFrames).not.toHaveProperty('droppedFramesCount');
  });

  it('cuts function and file names to 1024 bytes', () => {
    const name = 'é'.repeat(600); // 1200 bytes
    const file = `/srv/${'x'.repeat(1100)}.js`;
    const parsed = parseStackTrace(`    at ${name} (${file}:1:2)`)!;
    expect(parsed.stackFrames.frame[0]).toEqual({
      functionName: { value: 'é'.repeat(512), truncatedByteCount: 176 },
      fileName: { value: file.slice(0, 1024), truncatedByteCount: file.length - 1024 },
      lineNumber: '1',
      columnNumber: '2',
    });
  });

  it('skips lines longer than 4096 characters', () => {
    const huge = `    at f (/srv/${'x'.repeat(5000)}.js:1:2)`;
    expect(parseStackTrace(`${huge}\n    at g (/srv/g.js:3:4)`)).toEqual({
      stackFrames: { frame: [{ functionName: { value: 'g' }, fileName: { value: '/srv/g.js' }, lineNumber: '3', columnNumber: '4' }] },
    });
  });

  // V8 prints an anonymous async function's frame as "    at async /path/file.js:3:43".
  it('anonymous async frame: the "async" marker is not part of the file name', () => {
    expect(parseStackTrace('Error: x\n    at async /srv/app/server.js:3:43')).toEqual({
      stackFrames: { frame: [{ fileName: { value: '/srv/app/server.js' }, lineNumber: '3', columnNumber: '43' }] },
    });
  });
});
