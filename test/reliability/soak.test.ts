// Reliability: the CI-sized soak. 20,000 requests through the setup of `npm run soak`
// (soak/run-soak.js: Express -> traced axios -> Koa in a service process, always_on, OTLP to a
// collector that answers in 20-50 ms), then: no span unaccounted for, no socket or timer left
// behind, heap within a loose bound, and the service exits on its own after shutdown. No
// timing assertions. See README.md in this folder.
import { findProblems, formatReport, runSoak, SPANS_PER_REQUEST, type SoakProblems, type SoakResult } from './soak/run-soak';

const REQUESTS = 20_000;
// ~25-35 s on a loaded 2-core machine; the limit only stops a hung run.
const RUN_TIMEOUT_MILLIS = 180_000;

describe(`soak (CI size): ${REQUESTS.toLocaleString('en-US')} requests through Express -> axios -> Koa with a slow OTLP backend`, () => {
  let result: SoakResult;
  let problems: SoakProblems;

  beforeAll(async () => {
    result = await runSoak({ requests: REQUESTS });
    problems = findProblems(result);
    // The figures, for whoever reads a failure.
    if (Object.values(problems).some((list) => list.length > 0)) console.log(formatReport(result));
  }, RUN_TIMEOUT_MILLIS);

  it('served every request: 200s, and 502s on the error path, no errors or timeouts', () => {
    expect(problems.load).toEqual([]);
    expect(result.load.completed).toBe(REQUESTS);
  });

  it('loses no span: three per request, exported + dropped == ended and nothing queued after the final flush', () => {
    expect(problems.spans).toEqual([]);
    expect(result.totals.ended).toBe(SPANS_PER_REQUEST * REQUESTS);
    expect(result.totals.queued).toBe(0);
  });

  it('leaves no socket or timer behind: no type of active resource above its count before the load', () => {
    expect(problems.resources).toEqual([]);
    expect(result.resources.after.TCPSocketWrap ?? 0).toBe(0);
    expect(result.resources.after.Timeout ?? 0).toBeLessThanOrEqual(result.resources.before.Timeout ?? 0);
  });

  it('keeps heap used (after gc) within a loose bound from the checkpoint to the end', () => {
    expect(problems.heap).toEqual([]);
  });

  it('exits on its own after shutdown, every span still accounted for', () => {
    expect(problems.shutdown).toEqual([]);
  });
});
