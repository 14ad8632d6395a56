import { join } from 'node:path';
import { esmEntryCheck } from '@tracewell/conformance';

it('@tracewell/http-client: import and require give the same objects and the same export names', () => {
  const { esmKeys, cjsKeys, same } = esmEntryCheck('@tracewell/http-client', join(__dirname, '..'));
  expect(esmKeys).toEqual(cjsKeys);
  expect(esmKeys.length).toBeGreaterThan(0);
  expect(same).toBe(true);
});
