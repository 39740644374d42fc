/**
 * Every upstream allocator case (cases/, see NOTICE.md) through the engine: outcome, results
 * and error text must be upstream's (compared as FORMAT.md says). No case is skipped.
 */
import { describe, it, expect } from 'vitest';
import { listCases, runCase, checkOutcome } from './cases.js';

const cases = listCases();

describe('upstream allocator conformance (k8s v1.36.2)', () => {
  it('has all 142 cases', () => {
    expect(cases.length).toBe(142);
  });
  for (const c of cases) {
    it(`${c.dir} [${Object.keys(c.expect.features ?? {}).join(',') || 'no gates'}]`, async () => {
      const got = await runCase(c);
      expect(checkOutcome(c, got)).toBeUndefined();
    });
  }
});
