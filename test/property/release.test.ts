/**
 * Allocating and releasing are exact inverses: for random clusters, committing an allocation
 * and releasing it again leaves the engine in the state it started from. Checked three ways:
 * the engine's allocated state (dedicated devices, shares and their consumed capacity) is
 * identical, a second claim set gets the same answer as before the commit, and the same answer
 * as from a fresh engine. The first claim set, allocated again, gets its first answer again.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { Engine } from '../../src/engine.js';
import { scenarioArbitrary, scenarioYaml, NODE, type Scenario } from './arbitraries.js';
import { disagreement } from './outcomes.js';
import { runs } from '../full.js';

const RUNS = runs(500, 200);
const SEED = 4711;

/** The engine's allocated state in a comparable form. */
function allocatedSnapshot(engine: Engine): string {
  const { allocated } = engine.inspect();
  const shared = [...allocated.shared.entries()]
    .map(([id, s]) => [id, s.shares, [...s.consumed.entries()].map(([k, v]) => [k, v.nano.toString()]).sort()] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : 1));
  return JSON.stringify({ dedicated: [...allocated.dedicated].sort(), shared });
}

function same(what: string, a: Parameters<typeof disagreement>[0], b: Parameters<typeof disagreement>[0], s: Scenario): void {
  const why = disagreement(a, b);
  if (why) throw new Error(`${what}: ${why}\n--- scenario ---\n${scenarioYaml(s)}`);
}

describe('commit then release restores the engine (property)', () => {
  it(`holds on ${RUNS} seeded random clusters`, async () => {
    const tally = { committed: 0, commitChangedAnswer: 0 };
    await fc.assert(
      fc.asyncProperty(scenarioArbitrary(), async (s) => {
        const engine = await Engine.create({ objects: s.objects, featureGates: s.gates });
        const state = allocatedSnapshot(engine);
        const before = await engine.allocate(s.otherClaims, { node: NODE });
        const first = await engine.allocate(s.claims, { node: NODE });
        if (first.kind !== 'allocated') return;
        const committed = s.claims.map((c, i) => engine.commit(c, first.results[i]));
        tally.committed++;
        if (disagreement(await engine.allocate(s.otherClaims, { node: NODE }), before)) tally.commitChangedAnswer++;
        for (const c of committed) engine.release(c);

        expect(allocatedSnapshot(engine)).toBe(state);
        same('second claim set after release vs before commit', await engine.allocate(s.otherClaims, { node: NODE }), before, s);
        const fresh = await Engine.create({ objects: s.objects, featureGates: s.gates });
        same('second claim set after release vs fresh engine', await engine.allocate(s.otherClaims, { node: NODE }), await fresh.allocate(s.otherClaims, { node: NODE }), s);
        same('first claim set again', await engine.allocate(s.claims, { node: NODE }), first, s);
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
    // Not vacuous: many runs commit something, and committing visibly changes later answers.
    expect(tally.committed).toBeGreaterThan(RUNS / 8);
    expect(tally.commitChangedAnswer).toBeGreaterThan(RUNS / 50);
    console.log(`release: ${JSON.stringify(tally)}`);
  }, 120_000);
});
