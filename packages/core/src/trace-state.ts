// W3C Trace Context Level 2, section 3.3 (tracestate): list of at most 32 key=value members.
const MAX_MEMBERS = 32;
const MAX_VALUE_LENGTH = 256;
// key = (lcalpha / DIGIT) 0*255(keychar), keychar = lcalpha / DIGIT / "_" / "-" / "*" / "/" / "@".
// '@' may appear anywhere after the first character, any number of times: the tenant@vendor
// split (241/14 characters) of earlier drafts is gone. One bounded class: linear matching.
const KEY = /^[a-z0-9][a-z0-9_\-*/@]{0,255}$/;
// value = 0*255(chr) nblk-chr; chr excludes "," and "=".
const VALUE = /^[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/;

/** True when `key` is a valid tracestate key: `[a-z0-9]` then up to 255 of `[a-z0-9_\-*\/@]`. */
export function isValidTraceStateKey(key: string): boolean {
  return KEY.test(key);
}

/** True when `value` is a valid tracestate value. */
export function isValidTraceStateValue(value: string): boolean {
  return value.length <= MAX_VALUE_LENGTH && VALUE.test(value);
}

function isOws(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

/**
 * Parses header values into entries, or `undefined` when the list must be discarded (an invalid
 * member, or more than 32 members). A repeated key keeps its first occurrence; later ones are
 * dropped.
 */
function parseEntries(values: string | ReadonlyArray<string>): Array<readonly [string, string]> | undefined {
  const entries: Array<readonly [string, string]> = [];
  let members = 0;
  const list = typeof values === 'string' ? [values] : values;
  for (const header of list) {
    let start = 0;
    while (start <= header.length) {
      let end = header.indexOf(',', start);
      if (end === -1) end = header.length;
      let a = start;
      let b = end;
      while (a < b && isOws(header.charCodeAt(a))) a++;
      while (b > a && isOws(header.charCodeAt(b - 1))) b--;
      if (b > a) {
        // The limit counts the members received, duplicates included (the list grammar allows
        // 32): it also bounds the work, whatever the header repeats.
        if (members === MAX_MEMBERS) return undefined;
        members++;
        const eq = header.indexOf('=', a);
        if (eq === -1 || eq >= b) return undefined;
        const key = header.slice(a, eq);
        const value = header.slice(eq + 1, b);
        if (!isValidTraceStateKey(key) || !isValidTraceStateValue(value)) return undefined;
        // A repeated key: the spec lets a vendor pass the list on with the duplicate kept or with
        // one of them dropped (the W3C suite accepts both). We keep the first occurrence, the
        // left-most and so most recent entry of that vendor, and drop the later ones, so that
        // get() and set() see one entry per key. At most 32 members: a linear scan beats
        // allocating a Set per header.
        if (!entries.some(([k]) => k === key)) entries.push([key, value]);
      }
      start = end + 1;
    }
  }
  return entries;
}

/**
 * An immutable W3C `tracestate`: vendor entries carried along a trace in order.
 * `set` returns a new state with the entry moved to the front, as the spec requires of the
 * vendor that writes the current `traceparent`.
 *
 * @example
 * const state = TraceState.parse('rojo=00f067aa0ba902b7,congo=t61rcWkgMzE')?.set('tw', '1');
 * state?.serialize(); // 'tw=1,rojo=00f067aa0ba902b7,congo=t61rcWkgMzE'
 */
export class TraceState {
  private static readonly EMPTY = new TraceState([], undefined);
  private parsed: ReadonlyArray<readonly [string, string]> | undefined;
  private serialized: string | undefined;

  private constructor(
    entries: ReadonlyArray<readonly [string, string]> | undefined,
    private readonly raw: string | ReadonlyArray<string> | undefined,
  ) {
    this.parsed = entries;
  }

  /** An empty state. */
  static empty(): TraceState {
    return TraceState.EMPTY;
  }

  /**
   * Parses one or more `tracestate` header values (combined in order, as several headers are).
   * Returns `undefined` when any member is invalid or there are more than 32 members (counting
   * repeats): the spec lets a vendor discard the whole header then, and the W3C suite expects it.
   * A repeated key is not an error: its first occurrence is kept and later ones are dropped.
   */
  static parse(values: string | ReadonlyArray<string>): TraceState | undefined {
    const entries = parseEntries(values);
    if (entries === undefined) return undefined;
    return entries.length === 0 ? TraceState.EMPTY : new TraceState(entries, undefined);
  }

  /**
   * A state parsed on first use, with the rules of {@link TraceState.parse}; an invalid list
   * reads as empty. Extraction uses it: most services pass tracestate on without reading it,
   * and a leaf service never sends it at all, so parsing waits until something needs it.
   */
  static lazy(values: string | ReadonlyArray<string>): TraceState {
    return new TraceState(undefined, values);
  }

  private get entries(): ReadonlyArray<readonly [string, string]> {
    if (this.parsed === undefined) this.parsed = (this.raw === undefined ? undefined : parseEntries(this.raw)) ?? [];
    return this.parsed;
  }

  /** Number of members. */
  get size(): number {
    return this.entries.length;
  }

  /** The value stored under `key`, if any. */
  get(key: string): string | undefined {
    for (const [k, v] of this.entries) if (k === key) return v;
    return undefined;
  }

  /**
   * A new state with `key=value` at the front (replacing any earlier entry for `key`). When the
   * list is full the right-most member is removed. An invalid key or value leaves it unchanged.
   */
  set(key: string, value: string): TraceState {
    if (!isValidTraceStateKey(key) || !isValidTraceStateValue(value)) return this;
    const rest = this.entries.filter(([k]) => k !== key);
    if (rest.length >= MAX_MEMBERS) rest.length = MAX_MEMBERS - 1;
    return new TraceState([[key, value], ...rest], undefined);
  }

  /** A new state without `key`. */
  unset(key: string): TraceState {
    const rest = this.entries.filter(([k]) => k !== key);
    return rest.length === this.entries.length ? this : rest.length === 0 ? TraceState.EMPTY : new TraceState(rest, undefined);
  }

  /** The header value: `key=value` members joined by commas, front first. */
  serialize(): string {
    if (this.serialized === undefined) this.serialized = this.entries.map(([k, v]) => `${k}=${v}`).join(',');
    return this.serialized;
  }
}
