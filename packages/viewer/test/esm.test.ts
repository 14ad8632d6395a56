import { join } from 'node:path';
import { runEsmEntryCheck } from '@tracewell/conformance';

runEsmEntryCheck('@tracewell/viewer', join(__dirname, '..'));
