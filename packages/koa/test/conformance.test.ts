import { runServerConformance } from '@tracewell/conformance';
import { koaAdapter, type KoaClass } from './apps';

// The same suite for both majors: Koa 3 is the `koa` dev dependency, Koa 2 the `koa2` alias
// (npm:koa@^2). Express runs this very suite too (packages/express/test/conformance.test.ts).
runServerConformance(koaAdapter(require('koa2') as KoaClass, 2));
runServerConformance(koaAdapter(require('koa') as KoaClass, 3));
