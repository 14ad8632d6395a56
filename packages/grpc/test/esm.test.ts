import { join } from 'node:path';
import { esmEntryCheck } from '@tracewell/conformance';

it('@tracewell/grpc: import and require give the same objects and the same export names', () => {
  const { esmKeys, cjsKeys, same } = esmEntryCheck('@tracewell/grpc', join(__dirname, '..'));
  expect(esmKeys).toEqual(cjsKeys);
  expect(esmKeys.length).toBeGreaterThan(0);
  expect(same).toBe(true);
});
