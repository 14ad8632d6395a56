import { runContextConformance } from '@tracewell/conformance';

// The shared context suite (packages/conformance/src/context-suite.ts), on the default
// AsyncLocalStorage manager: a tracer without its own contextManager.
runContextConformance('AsyncLocalStorage (default)', () => undefined);
