/**
 * Changing an engine step by step is the same as building it from the end result: for random
 * clusters and random sequences of upsert / delete (by object, by an equal copy, by key) /
 * commit / release (by an informer-style copy or by key) — with allocations in between, so
 * that the changes land on compiled state and are patched, not rebuilt — the engine answers
 * every claim set exactly like a fresh engine built from the final object set, and holds the
 * same allocated state and device count.
 *
 * The objects come from two random scenarios over the same names (so an object of the second is
 * often a new version of one of the first) plus a few DeviceTaintRules. The final object set is
 * tracked with a Map, whose order rules are the engine's: a replaced key keeps its place, a
 * deleted one that comes back goes last. DRALLOC_FULL=1 runs 10× more cases.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { Engine } from '../../src/engine.js';
import { keyOf } from '../../src/model/keys.js';
import type { DeviceTaintRule, DraObject, ResourceClaim } from '../../src/model/types.js';
import type { Outcome } from '../../src/outcome.js';
import { scenarioArbitrary, scenarioYaml, NODE, type Scenario } from './arbitraries.js';
import { disagreement } from './outcomes.js';

const RUNS = process.env.DRALLOC_FULL ? 1000 : 100;
const SEED = 20261202;

const OPS = ['upsert', 'upsert', 'upsert', 'delete', 'deleteCopy', 'deleteKey', 'commit', 'commit', 'release', 'releaseKey', 'allocate', 'allocate'] as const;
type Op = { op: (typeof OPS)[number]; pick: number };
const opArbitrary: fc.Arbitrary<Op> = fc.record({ op: fc.constantFrom(...OPS), pick: fc.nat(1000) });

const rule = (name: string, selector: DeviceTaintRule['spec']['deviceSelector'], effect: string): DeviceTaintRule => ({
  apiVersion: 'resource.k8s.io/v1beta2',
  kind: 'DeviceTaintRule',
  metadata: { name },
  spec: { deviceSelector: selector, taint: { key: 'k3', value: 'v', effect } },
});
const RULES = [
  rule('r-pool-0', { driver: 'driver-a', pool: 'pool-0' }, 'NoSchedule'),
  rule('r-dev-1', { device: 'dev-1' }, 'NoExecute'),
  rule('r-pool-0', { pool: 'pool-0', device: 'dev-0' }, 'NoSchedule'), // a second version of r-pool-0
];

/** The engine's allocated state in a comparable form. */
function allocatedSnapshot(engine: Engine): string {
  const { allocated } = engine.inspect();
  const shared = [...allocated.shared.entries()]
    .map(([id, s]) => [id, s.shares, [...s.consumed.entries()].map(([k, v]) => [k, v.nano.toString()]).sort()] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : 1));
  return JSON.stringify({ dedicated: [...allocated.dedicated].sort(), shared });
}

/** Disagreement of two engines' outcomes: `disagreement`, and errors with the same text. */
function differ(a: Outcome, b: Outcome): string | undefined {
  if (a.kind === 'error' && b.kind === 'error' && a.message !== b.message) return `error "${a.message}" vs "${b.message}"`;
  return disagreement(a, b);
}

async function run(a: Scenario, b: Scenario, ops: Op[], tally: Record<string, number>): Promise<void> {
  const universe: DraObject[] = [...a.objects, ...b.objects, ...RULES];
  const requests: ResourceClaim[] = [...a.claims, ...a.otherClaims, ...b.claims];
  const engine = await Engine.create({ objects: a.objects, featureGates: a.gates });
  const final = new Map<string, DraObject>(a.objects.map((o) => [keyOf(o), o]));
  const log: string[] = [];
  for (const { op, pick } of ops) {
    const o = universe[pick % universe.length];
    const held = [...final.values()];
    const heldClaims = held.filter((x): x is ResourceClaim => x.kind === 'ResourceClaim');
    switch (op) {
      case 'upsert':
        engine.upsert([o]);
        final.set(keyOf(o), o);
        log.push(`upsert ${keyOf(o)}`);
        break;
      case 'delete':
      case 'deleteCopy':
      case 'deleteKey': {
        const victim = held[pick % Math.max(1, held.length)];
        if (!victim) break;
        engine.delete([op === 'delete' ? victim : op === 'deleteCopy' ? structuredClone(victim) : keyOf(victim)]);
        final.delete(keyOf(victim));
        log.push(`${op} ${keyOf(victim)}`);
        break;
      }
      case 'commit': {
        const c = requests[pick % requests.length];
        const out = await engine.allocate([c], { node: NODE });
        if (out.kind !== 'allocated') break;
        const committed = engine.commit(c, out.results[0]);
        final.set(keyOf(committed), committed);
        tally.commits++;
        log.push(`commit ${keyOf(committed)}`);
        break;
      }
      case 'release':
      case 'releaseKey': {
        const c = heldClaims[pick % Math.max(1, heldClaims.length)];
        if (!c) break;
        engine.release(op === 'release' ? structuredClone(c) : keyOf(c));
        final.delete(keyOf(c));
        tally.releases++;
        log.push(`${op} ${keyOf(c)}`);
        break;
      }
      case 'allocate':
        await engine.allocate(a.claims, { node: NODE });
        log.push('allocate');
        break;
    }
  }
  const fresh = await Engine.create({ objects: [...final.values()], featureGates: a.gates });
  const explain = () => `\n--- ops ---\n${log.join('\n')}\n--- first scenario ---\n${scenarioYaml(a)}`;
  for (const set of [a.claims, a.otherClaims, b.claims]) {
    for (const node of [NODE, 'node-2']) {
      const [changed, built] = [await engine.allocate(set, { node }), await fresh.allocate(set, { node })];
      const why = differ(changed, built);
      if (why) throw new Error(`changed engine vs fresh engine on ${node}: ${why}${explain()}`);
      if (changed.kind === 'allocated') tally.allocated++;
      expect(changed.stats?.steps).toBe(built.stats?.steps);
    }
  }
  expect(allocatedSnapshot(engine)).toBe(allocatedSnapshot(fresh));
  expect(engine.inspect().inventory.count).toBe(fresh.inspect().inventory.count);
  expect(engine.listClaims().length).toBe(fresh.listClaims().length);
}

describe('incremental changes equal a fresh engine (property)', () => {
  it(`holds on ${RUNS} seeded random change sequences`, { timeout: 600_000 }, async () => {
    const tally = { commits: 0, releases: 0, allocated: 0 };
    await fc.assert(
      fc.asyncProperty(scenarioArbitrary(), scenarioArbitrary(), fc.array(opArbitrary, { minLength: 1, maxLength: 14 }), (a, b, ops) => run(a, b, ops, tally)),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
    // Not vacuous: claims get committed and released, and answers include allocations.
    expect(tally.commits).toBeGreaterThan(RUNS / 8);
    expect(tally.releases).toBeGreaterThan(RUNS / 10);
    expect(tally.allocated).toBeGreaterThan(RUNS / 2);
    console.log(`incremental: ${JSON.stringify(tally)}`);
  });
});
