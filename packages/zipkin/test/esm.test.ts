import { join } from 'node:path';
import { runEsmEntryCheck } from '@tracewell/conformance';

runEsmEntryCheck('@tracewell/zipkin', join(__dirname, '..'));
