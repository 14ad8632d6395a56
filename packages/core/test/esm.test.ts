import { join } from 'node:path';
import { esmEntryCheck } from '@tracewell/conformance';

describe.each(['@tracewell/core', '@tracewell/core/instrumentation', '@tracewell/core/exporter'])('%s', (entry) => {
  it('import and require give the same objects and the same export names', () => {
    const { esmKeys, cjsKeys, same } = esmEntryCheck(entry, join(__dirname, '..'));
    expect(esmKeys).toEqual(cjsKeys);
    expect(esmKeys.length).toBeGreaterThan(0);
    expect(same).toBe(true);
  });
});
