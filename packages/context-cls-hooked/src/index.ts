// @tracewell/context-cls-hooked: the active span in a cls-hooked namespace.
export { clsHookedContextManager } from './cls-hooked-context-manager';
export type { ClsHookedContextManagerOptions } from './cls-hooked-context-manager';
