import { runContextConformance } from '@tracewell/conformance';
import { clsHookedContextManager } from '../src';

runContextConformance('cls-hooked', () => clsHookedContextManager());
