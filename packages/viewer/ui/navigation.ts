// Which view is on screen. Each render bumps the generation; an answer that arrives for an older
// view is dropped instead of drawn over the current one.
let generation = 0;

/** Starts a new view and returns its number. */
export function nextView(): number {
  return ++generation;
}

/** True while view `view` is the one on screen. */
export function isCurrent(view: number): boolean {
  return view === generation;
}
