import { join } from 'node:path';
import { runEsmEntryCheck } from '@tracewell/conformance';

runEsmEntryCheck('@tracewell/otlp', join(__dirname, '..'));
