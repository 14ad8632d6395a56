/**
 * Whether a request's `rawHeaders` (names in the sender's case, each followed by its value) hold
 * any of a fixed set of header names. A server asks it before extracting: most requests start a
 * trace and carry none of the propagators' headers. Asking `req.headers` for each name took a
 * megamorphic keyed load per name on a dictionary-mode object (nine for the built-in formats,
 * about 1,100 instructions of an unsampled Koa request on Node 24); here most names miss on
 * their length alone.
 */
export class HeaderPresence {
  private readonly names: ReadonlyArray<string>;
  /** Bit n is set when a name has n characters (31: 31 or more): most headers miss on length. */
  private readonly lengths: number;

  /** @param names - lowercase header names */
  constructor(names: Iterable<string>) {
    this.names = [...new Set(names)];
    let lengths = 0;
    for (const name of this.names) lengths |= 1 << Math.min(name.length, 31);
    this.lengths = lengths;
  }

  /** True when `rawHeaders` has one of the names, in any case. */
  inRawHeaders(rawHeaders: ReadonlyArray<string>): boolean {
    for (let i = 0; i < rawHeaders.length; i += 2) {
      const name = rawHeaders[i]!;
      if (((this.lengths >>> Math.min(name.length, 31)) & 1) === 0) continue;
      for (let j = 0; j < this.names.length; j++) if (equalsLowercase(name, this.names[j]!)) return true;
    }
    return false;
  }
}

const UPPER_A = 65;
const UPPER_Z = 90;
const TO_LOWER = 32;

/** `name.toLowerCase() === lower` for a lowercase `lower`, without making the lowercase copy. */
function equalsLowercase(name: string, lower: string): boolean {
  if (name.length !== lower.length) return false;
  for (let i = 0; i < lower.length; i++) {
    let c = name.charCodeAt(i);
    if (c >= UPPER_A && c <= UPPER_Z) c += TO_LOWER;
    if (c !== lower.charCodeAt(i)) return false;
  }
  return true;
}
