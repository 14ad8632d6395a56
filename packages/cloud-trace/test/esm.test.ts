import { join } from 'node:path';
import { runEsmEntryCheck } from '@tracewell/conformance';

runEsmEntryCheck('@tracewell/cloud-trace', join(__dirname, '..'));
