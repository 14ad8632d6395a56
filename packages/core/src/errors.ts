import { urlForMessages } from './url-for-messages';

/**
 * Codes of the errors Tracewell throws. Only configuration errors are thrown, and only at
 * construction; every code is documented in docs/errors.md (a test keeps the two in sync).
 */
export const ErrorCodes = {
  /** An option passed in code has an invalid value. */
  TW_INVALID_OPTION: 'TW_INVALID_OPTION',
} as const;

/** One of {@link ErrorCodes}. */
export type ErrorCode = keyof typeof ErrorCodes;

/** A configuration error: names the option, what it got and what it accepts. */
export class TracewellConfigError extends TypeError {
  /** Stable code, listed in docs/errors.md. */
  readonly code: ErrorCode;

  /** @param code - stable code  @param message - full message */
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'TracewellConfigError';
    this.code = code;
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') {
    // A URL is shown without user info, query or fragment: that is where credentials live.
    const shown = value.includes('://') ? urlForMessages(value) : value;
    return JSON.stringify(shown.length > 60 ? `${shown.slice(0, 60)}…` : shown);
  }
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return String(value);
}

/**
 * The error for an invalid option. Never includes object contents or a URL's user info, query
 * or fragment: options may hold credentials.
 *
 * @param option - the option's path, e.g. `limits.attributeCountLimit`
 * @param accepted - what is accepted, e.g. `a non-negative integer`
 * @param received - the value received
 */
export function invalidOption(option: string, accepted: string, received: unknown): TracewellConfigError {
  return new TracewellConfigError(
    ErrorCodes.TW_INVALID_OPTION,
    `Invalid option "${option}": expected ${accepted}, got ${describe(received)}`,
  );
}
