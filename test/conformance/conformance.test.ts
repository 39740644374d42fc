/**
 * Every upstream allocator case (cases/, see NOTICE.md) through the engine: outcome, results
 * and error text must be upstream's (compared as FORMAT.md says). No case is skipped. The
 * upstream-quirks/ cases (same format) pin upstream's shared-counter accounting, the default.
 */
import { describe, it, expect } from 'vitest';
import { listCases, runCase, checkOutcome, QUIRKS_DIR } from './cases.js';

const cases = listCases();
const quirks = listCases(QUIRKS_DIR);

describe('upstream allocator conformance (k8s v1.36.2)', () => {
  it('has all 142 cases and the 3 counter-accounting cases', () => {
    expect(cases.length).toBe(142);
    expect(quirks.map((c) => c.dir)).toEqual(['q1-counter-leak-constraint', 'q1b-counter-leak-taint', 'q2-multi-counter-leak']);
  });
  for (const c of [...cases, ...quirks]) {
    it(`${c.dir} [${Object.keys(c.expect.features ?? {}).join(',') || 'no gates'}]`, async () => {
      const got = await runCase(c);
      expect(checkOutcome(c, got)).toBeUndefined();
    });
  }
});
