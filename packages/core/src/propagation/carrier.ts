/** A header value as Node's `IncomingHttpHeaders` / `OutgoingHttpHeaders` hold it. */
export type HeaderValue = string | ReadonlyArray<string> | number | undefined;

/** Plain header object (`req.headers`, options of `http.request`, a plain axios headers object). */
export interface HeaderRecord {
  [name: string]: HeaderValue;
}

/** Header object with methods (`AxiosHeaders`, fetch's `Headers`); its lookups are case-insensitive. */
export interface HeaderMap {
  get(name: string): unknown;
  set(name: string, value: string): unknown;
}

/** Where trace headers are read from and written to. Names are matched case-insensitively. */
export type Carrier = HeaderRecord | HeaderMap;

function isHeaderMap(carrier: Carrier): carrier is HeaderMap {
  return typeof (carrier as HeaderMap).get === 'function' && typeof (carrier as HeaderMap).set === 'function';
}

function trimOws(value: string): string {
  // HTTP optional whitespace (RFC 9110 5.6.3): spaces and tabs only.
  let a = 0;
  let b = value.length;
  while (a < b && (value.charCodeAt(a) === 0x20 || value.charCodeAt(a) === 0x09)) a++;
  while (b > a && (value.charCodeAt(b - 1) === 0x20 || value.charCodeAt(b - 1) === 0x09)) b--;
  return a === 0 && b === value.length ? value : value.slice(a, b);
}

function toValues(raw: unknown): string[] | undefined {
  if (typeof raw === 'string') return [trimOws(raw)];
  if (typeof raw === 'number') return [String(raw)];
  if (Array.isArray(raw)) {
    const values: string[] = [];
    for (const item of raw as unknown[]) if (typeof item === 'string') values.push(trimOws(item));
    return values.length === 0 ? undefined : values;
  }
  return undefined;
}

const NO_KEYS: string[] = [];

function hasUppercase(key: string): boolean {
  for (let i = 0; i < key.length; i++) {
    const code = key.charCodeAt(i);
    if (code >= 0x41 && code <= 0x5a) return true;
  }
  return false;
}

/**
 * Reads headers from one carrier for one extraction. Names passed in must be lowercase.
 * A plain object is tried with the lowercase name first (Node lowercases incoming names); on a
 * miss, its keys are scanned once per reader for other-case spellings. Node's all-lowercase
 * `req.headers` finds none, so a missing header costs one scan and no allocation.
 */
export class HeaderReader {
  private mixedCaseKeys: string[] | undefined;

  /**
   * @param carrier - the headers to read
   * @param lowercaseNames - true when every name in a plain-object carrier is known to be
   *   lowercase (Node's incoming `req.headers`): a miss is then final, with no scan of the keys
   */
  constructor(
    private readonly carrier: Carrier,
    lowercaseNames = false,
  ) {
    if (lowercaseNames) this.mixedCaseKeys = NO_KEYS;
  }

  /** Every value of a header (repeated headers give several), OWS-trimmed; `undefined` if absent. */
  values(name: string): string[] | undefined {
    const carrier = this.carrier;
    if (isHeaderMap(carrier)) return toValues(carrier.get(name) ?? undefined);
    if (Object.prototype.hasOwnProperty.call(carrier, name)) return toValues(carrier[name]);
    if (this.mixedCaseKeys === undefined) {
      this.mixedCaseKeys = NO_KEYS;
      for (const key of Object.keys(carrier)) {
        if (hasUppercase(key)) (this.mixedCaseKeys === NO_KEYS ? (this.mixedCaseKeys = []) : this.mixedCaseKeys).push(key);
      }
    }
    for (const key of this.mixedCaseKeys) {
      if (key.length === name.length && key.toLowerCase() === name) return toValues(carrier[key]);
    }
    return undefined;
  }

  /** The first value of a header (B3's rule for repeated headers); `undefined` when absent. */
  first(name: string): string | undefined {
    return this.values(name)?.[0];
  }

  /** The header's value when it appears exactly once; `undefined` when absent or repeated. */
  single(name: string): string | undefined {
    const values = this.values(name);
    return values !== undefined && values.length === 1 ? values[0] : undefined;
  }
}

/** Writes one header into a carrier (lowercase name). */
export function setHeader(carrier: Carrier, name: string, value: string): void {
  if (isHeaderMap(carrier)) {
    carrier.set(name, value);
    return;
  }
  carrier[name] = value;
}

/** Removes spellings of `names` (lowercase) that differ from lowercase on a plain header object. */
export function removeCaseVariants(carrier: Carrier, names: ReadonlySet<string>): void {
  if (isHeaderMap(carrier)) return;
  for (const key of Object.keys(carrier)) {
    const lower = key.toLowerCase();
    if (lower !== key && names.has(lower)) delete carrier[key];
  }
}
