import { join } from 'node:path';
import { runEsmEntryCheck } from '@tracewell/conformance';

runEsmEntryCheck('@tracewell/koa', join(__dirname, '..'));
