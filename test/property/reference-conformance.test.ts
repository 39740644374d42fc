/**
 * The reference allocator (test/reference) against every upstream conformance case: before it
 * may judge the engine it must give upstream's answers itself (with its default, upstream's
 * counter accounting, also on the upstream-quirks cases).
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { listCases, checkOutcome, featureGatesFor, QUIRKS_DIR, type Case } from '../conformance/cases.js';
import { loadText } from '../../src/model/load.js';
import { featuresFromGates, parseFeatureGates } from '../../src/features.js';
import type { ResourceClaim } from '../../src/model/types.js';
import { referenceAllocate } from '../reference/allocator.js';

function runReference(c: Case) {
  const objects = loadText(readFileSync(c.scenarioFile, 'utf8'), c.scenarioFile).objects.map((l) => l.object);
  const claims = objects.filter((o): o is ResourceClaim => o.kind === 'ResourceClaim' && !o.status?.allocation);
  const features = featuresFromGates(parseFeatureGates(featureGatesFor(c.expect.features)));
  return referenceAllocate({ objects, claims, node: c.expect.node, features });
}

describe('reference allocator: upstream conformance cases', () => {
  const cases = listCases();
  const quirks = listCases(QUIRKS_DIR);
  it('sees all 142 cases and the 3 counter-accounting cases', () => expect([cases.length, quirks.length]).toEqual([142, 3]));
  for (const c of [...cases, ...quirks]) {
    it(c.dir, () => {
      expect(checkOutcome(c, runReference(c))).toBeUndefined();
    });
  }
});
