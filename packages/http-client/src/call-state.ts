import type { Span } from '@tracewell/core';

/** What a traced request carries from its start to its end. */
export interface CallState {
  readonly span: Span;
  status: number | undefined;
  responseHeader: ((name: string) => unknown) | undefined;
  ended: boolean;
}

// Kept on the request object (node:http's ClientRequest, undici's Request) under a symbol of
// ours: the channels hand us the same object at every step, and no map outlives the request.
const STATE = Symbol('tracewell.http-client.call');
// Set on requests we decided not to trace (suppressed, or a call another layer traces).
const UNTRACED = Symbol('tracewell.http-client.untraced');

type Tagged = { [STATE]?: CallState; [UNTRACED]?: true };

/** The state of a traced request, if it is one. */
export function callStateOf(request: object): CallState | undefined {
  return (request as Tagged)[STATE];
}

/** True once the request was seen, traced or not (so a second channel does not start it again). */
export function wasSeen(request: object): boolean {
  const tagged = request as Tagged;
  return tagged[STATE] !== undefined || tagged[UNTRACED] === true;
}

/** Marks a request as traced by `span`. */
export function startCall(request: object, span: Span): CallState {
  const state: CallState = { span, status: undefined, responseHeader: undefined, ended: false };
  (request as Tagged)[STATE] = state;
  return state;
}

/** Marks a request as one we leave alone. */
export function leaveUntraced(request: object): void {
  (request as Tagged)[UNTRACED] = true;
}
