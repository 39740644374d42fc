/** Comparing allocation outcomes in the property tests. */
import type { Engine } from '../../src/engine.js';
import type { Outcome } from '../../src/outcome.js';
import { compareAllocation, type Allocation } from '../conformance/compare.js';

/**
 * Why outcome `engine` differs from `reference` (the reference allocator's, or the engine's own earlier
 * answer), or undefined when they agree: same kind; errors: the first message contains the second (the
 * engine may add detail after upstream's text); allocations: equal AllocationResults, claim by
 * claim, including order (any set shareID matches any other, quantities compare by value).
 */
export function disagreement(engine: Outcome, reference: Outcome): string | undefined {
  const detail = (o: Outcome) => (o.kind === 'error' ? o.message : o.kind === 'unsatisfiable' ? o.reason : 'allocated');
  if (engine.kind !== reference.kind) return `engine: ${engine.kind} (${detail(engine)}); reference: ${reference.kind} (${detail(reference)})`;
  if (engine.kind === 'error' && reference.kind === 'error' && !engine.message.includes(reference.message)) {
    return `engine error "${engine.message}" lacks the reference's "${reference.message}"`;
  }
  if (engine.kind === 'allocated' && reference.kind === 'allocated') {
    if (engine.results.length !== reference.results.length) return `${engine.results.length} results, reference ${reference.results.length}`;
    for (let i = 0; i < reference.results.length; i++) {
      const why = compareAllocation(engine.results[i] as Allocation, reference.results[i] as Allocation, 'exact');
      if (why) return `claim #${i}: ${why}`;
    }
  }
  return undefined;
}

/** The engine's allocated state in a comparable form. */
export function allocatedSnapshot(engine: Engine): string {
  const { allocated } = engine.inspect();
  const shared = [...allocated.shared.entries()]
    .map(([id, s]) => [id, s.shares, [...s.consumed.entries()].map(([k, v]) => [k, v.nano.toString()]).sort()] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : 1));
  return JSON.stringify({ dedicated: [...allocated.dedicated].sort(), shared });
}
