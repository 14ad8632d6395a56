/** Runs a user hook or a piece of bookkeeping; what it throws never reaches the call. */
export function safely(fn: () => void): void {
  try {
    fn();
  } catch {
    // A hook never breaks the call.
  }
}
