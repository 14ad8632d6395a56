import { runServerConformance } from '@tracewell/conformance';
import { expressAdapter, type ExpressModule } from './apps';

// The same suite for both majors: Express 5 is the `express` dev dependency, Express 4 the
// `express4` alias (npm:express@^4).
runServerConformance(expressAdapter(require('express4') as ExpressModule, 4));
runServerConformance(expressAdapter(require('express') as ExpressModule, 5));
