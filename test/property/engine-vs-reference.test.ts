/**
 * The engine against the slow reference allocator (test/reference) on seeded random scenarios
 * (arbitraries.ts): same outcome kind; when both allocate, the same AllocationResults (both
 * follow upstream's search order, so the devices are identical; share IDs are random and only
 * compared for presence); when both fail, the engine's message contains the reference's
 * (upstream's text; the engine may add detail after it). Every engine allocation must also pass
 * the independent validator (validate.ts).
 *
 * Engine differences found this way (now fixed) stay as minimal reproductions below, and the
 * generator's knobs that produce their inputs get a run of their own (docs/testing.md). Both
 * counter accountings are checked on counter-heavy scenarios (`counterMix`).
 *
 * Runs are small by default; DRALLOC_FULL=1 runs 1,500 scenarios per property.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { Engine } from '../../src/engine.js';
import { featuresFromGates, GATE_DEFAULTS } from '../../src/features.js';
import type { Outcome } from '../../src/outcome.js';
import type { DraObject, ResourceClaim } from '../../src/model/types.js';
import type { CounterAccounting } from '../../src/wasm/layout.js';
import { loadText } from '../../src/model/load.js';
import { referenceAllocate } from '../reference/allocator.js';
import { scenarioArbitrary, scenarioYaml, NODE, type Scenario } from './arbitraries.js';
import { validateAllocation } from './validate.js';
import { disagreement } from './outcomes.js';

const FULL = process.env.DRALLOC_FULL === '1';
const RUNS = FULL ? 1500 : 300;
/** Per property run: a default run takes ~10 s on 2 busy cores. */
const TIMEOUT = FULL ? 900_000 : 240_000;
const SEED = 20260806;

interface Run {
  engine: Outcome;
  reference: Outcome;
}

async function runBoth(s: { objects: DraObject[]; claims: ResourceClaim[]; gates: Scenario['gates'] }, counterAccounting: CounterAccounting = 'upstream'): Promise<Run> {
  const engine = await (await Engine.create({ objects: s.objects, featureGates: s.gates, counterAccounting })).allocate(s.claims, { node: NODE });
  const reference = referenceAllocate({ objects: s.objects, claims: s.claims, node: NODE, features: featuresFromGates(s.gates), counterAccounting });
  return { engine, reference };
}

/** Runs one scenario; throws (with the YAML to reproduce it) on any disagreement or invalid allocation. */
async function check(s: Scenario, tally?: Record<string, number>, counterAccounting: CounterAccounting = 'upstream'): Promise<void> {
  const { engine, reference } = await runBoth(s, counterAccounting);
  const why = disagreement(engine, reference);
  if (why) throw new Error(`${why} (counter accounting ${counterAccounting})\n--- scenario ---\n${scenarioYaml(s)}`);
  if (engine.kind === 'allocated') {
    const problems = validateAllocation({ objects: s.objects, claims: s.claims, results: engine.results, node: NODE, features: featuresFromGates(s.gates), counterAccounting });
    if (problems.length) throw new Error(`invalid allocation: ${problems.join('; ')}\n--- scenario ---\n${scenarioYaml(s)}`);
    if (tally && engine.stats.steps === (reference as { stats: { steps: number } }).stats.steps) tally.sameSteps++;
  }
  if (tally) tally[engine.kind]++;
}

describe('engine vs reference allocator (property)', () => {
  it(`agrees on ${RUNS} seeded random scenarios, and every allocation is valid`, { timeout: TIMEOUT }, async () => {
    const tally: Record<string, number> = { allocated: 0, unsatisfiable: 0, error: 0, sameSteps: 0 };
    await fc.assert(
      fc.asyncProperty(scenarioArbitrary(), (s) => check(s, tally)),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
    // Not vacuous: a fair share of the scenarios must allocate (and be compared device by device).
    expect(tally.allocated + tally.unsatisfiable + tally.error).toBe(RUNS);
    expect(tally.allocated).toBeGreaterThan(RUNS / 8);
    expect(tally.error).toBeGreaterThan(0);
    console.log(`engine vs reference: ${JSON.stringify(tally)}`);
  });

  it('the validator notices a broken allocation (it can fail)', { timeout: 60_000 }, async () => {
    let broken = 0;
    for (const s of fc.sample(scenarioArbitrary(), { numRuns: 80, seed: SEED })) {
      const { engine } = await runBoth(s);
      if (engine.kind !== 'allocated' || !engine.results[0].devices?.results?.length) continue;
      // Drop the first claim's last device: some request now has too few (or All too few) devices.
      const results = structuredClone(engine.results);
      results[0].devices!.results!.pop();
      const problems = validateAllocation({ objects: s.objects, claims: s.claims, results, node: NODE, features: featuresFromGates(s.gates) });
      expect(problems.length).toBeGreaterThan(0);
      broken++;
    }
    expect(broken).toBeGreaterThan(5);
  });
});

/** A one-node scenario from YAML (node-1 and class-any are added); gates over the v1.36 defaults. */
function fromYaml(text: string, gates: Partial<Scenario['gates']>): Scenario {
  const header = `apiVersion: v1
kind: Node
metadata: {name: node-1}
---
apiVersion: resource.k8s.io/v1
kind: DeviceClass
metadata: {name: class-any}
spec: {}
---
`;
  const objects = loadText(header + text, 'repro.yaml').objects.map((l) => l.object);
  const claims = objects.filter((o): o is ResourceClaim => o.kind === 'ResourceClaim' && !o.status?.allocation);
  return { objects: objects.filter((o) => !claims.includes(o as ResourceClaim)), claims, otherClaims: [], gates: { ...GATE_DEFAULTS, ...gates } };
}

/** One ResourceSlice of driver-a's pool `pool` (resourceSliceCount `sliceCount`) with the given spec lines. */
const rawSlice = (spec: string, pool = 'p', sliceCount = 1) => `apiVersion: resource.k8s.io/v1
kind: ResourceSlice
metadata: {name: s-${pool}}
spec:
  driver: driver-a
  pool: {name: ${pool}, generation: 1, resourceSliceCount: ${sliceCount}}
${spec}
---
`;
/** A node-local slice whose devices dev-<i> have the given `model` values. */
const slice = (models: string[]) => rawSlice(`  nodeName: node-1
  devices:
${models.map((m, i) => `  - {name: dev-${i}, attributes: {model: {string: ${m}}}}`).join('\n')}`);
const claim = (requests: string, constraints = '') => `apiVersion: resource.k8s.io/v1
kind: ResourceClaim
metadata: {name: c, namespace: default}
spec:
  devices:
    requests:
${requests}
${constraints}`;

/**
 * Minimal reproductions of engine differences from upstream v1.36 the property test found (all
 * fixed): the reference gives upstream's answer (`upstream`), and the engine agrees with it.
 */
const KNOWN: { name: string; scenario: () => Scenario; upstream: (o: Outcome) => void }[] = [
  {
    name: 'capacity requests in a subrequest without DRAConsumableCapacity: upstream says "subrequest <name>"',
    scenario: () =>
      fromYaml(slice(['a']) + claim(`    - name: r
      firstAvailable:
      - {name: s, deviceClassName: class-any, allocationMode: ExactCount, count: 1, capacity: {requests: {mem: "1"}}}`), { DRAConsumableCapacity: false }),
    upstream: (o) => expect(o).toMatchObject({ kind: 'error', message: 'claim default/c, subrequest s: has capacity requests, but the DRAConsumableCapacity feature is disabled' }),
  },
  {
    name: 'capacity requests are rejected before admin access (upstream checks them before validateDeviceRequest)',
    scenario: () =>
      fromYaml(slice(['a']) + claim(`    - name: r
      exactly: {deviceClassName: class-any, allocationMode: ExactCount, count: 1, adminAccess: true, capacity: {requests: {mem: "1"}}}`), {
        DRAConsumableCapacity: false,
        DRAAdminAccess: false,
      }),
    upstream: (o) => expect(o).toMatchObject({ kind: 'error', message: 'claim default/c, request r: has capacity requests, but the DRAConsumableCapacity feature is disabled' }),
  },
  {
    name: 'an explicit adminAccess: false without DRAAdminAccess is an error upstream (hasAdminAccess checks the pointer)',
    scenario: () =>
      fromYaml(slice(['a']) + claim(`    - name: r
      exactly: {deviceClassName: class-any, allocationMode: ExactCount, count: 1, adminAccess: false}`), { DRAAdminAccess: false }),
    upstream: (o) => expect(o).toMatchObject({ kind: 'error', message: 'claim default/c, request r: admin access is requested, but the feature is disabled' }),
  },
  {
    name: 'distinctAttribute without DRAConsumableCapacity works when another incubating feature picks the incubating allocator',
    scenario: () =>
      fromYaml(slice(['a', 'b']) + claim(`    - {name: r0, exactly: {deviceClassName: class-any, allocationMode: ExactCount, count: 1}}
    - {name: r1, exactly: {deviceClassName: class-any, allocationMode: ExactCount, count: 1}}`, `    constraints:
    - {distinctAttribute: driver-a/model}`), { DRAConsumableCapacity: false }),
    upstream: (o) => expect(o.kind).toBe('allocated'),
  },
  {
    name: 'distinctAttribute remembers one value per request name: a,b,a in one request of 3 passes upstream',
    scenario: () =>
      fromYaml(slice(['a', 'b', 'a']) + claim(`    - {name: r, exactly: {deviceClassName: class-any, allocationMode: ExactCount, count: 3}}`, `    constraints:
    - {distinctAttribute: driver-a/model}`), {}),
    upstream: (o) => expect(o.kind).toBe('allocated'),
  },
  {
    name: 'a CEL runtime error that upstream meets in search order is not skipped by pruning',
    scenario: () =>
      fromYaml(rawSlice(`  perDeviceNodeSelection: true
  devices:
  - {name: dev-0, nodeName: node-2}
  - {name: dev-1, nodeName: node-1, attributes: {model: {string: a}}}`) + claim(`    - {name: r0, exactly: {deviceClassName: class-any, allocationMode: ExactCount, count: 1}}
    - name: r1
      exactly:
        deviceClassName: class-any
        allocationMode: ExactCount
        count: 2
        selectors: [{cel: {expression: 'device.attributes[device.driver].model == "a"'}}]`), {}),
    upstream: (o) => expect(o).toMatchObject({ kind: 'error', message: 'claim default/c: selector #0: CEL runtime error: no such key: model' }),
  },
  {
    name: 'an incomplete pool is never validated: a duplicate device name in it is not an "invalid pool" error',
    scenario: () =>
      fromYaml(rawSlice(`  nodeName: node-1
  devices: [{name: dev-0}, {name: dev-0}]`, 'p', 2) + claim(`    - {name: r, exactly: {deviceClassName: class-any, allocationMode: ExactCount, count: 1}}`), {}),
    upstream: (o) => expect(o.kind).toBe('unsatisfiable'),
  },
  {
    name: 'incomplete and invalid pools never count as having binding conditions (pool order in errors)',
    scenario: () =>
      fromYaml(
        ['a', 'b']
          .map(
            (p) => rawSlice(`  nodeName: node-1
  devices: [{name: dev-0${p === 'a' ? ', bindingConditions: [ready]' : ''}}]`, p, 2),
          )
          .join('') + claim(`    - {name: r, exactly: {deviceClassName: class-any, allocationMode: All}}`),
        {},
      ),
    upstream: (o) => expect(o).toMatchObject({ kind: 'error', message: 'claim default/c, request r: asks for all devices, but resource pool driver-a/a is currently being updated' }),
  },
  {
    name: 'All mode checks constraints before capacity: a violated constraint is an error even on a full shared device',
    scenario: () =>
      fromYaml(
        rawSlice(`  nodeName: node-1
  devices: [{name: dev-0, allowMultipleAllocations: true, capacity: {mem: {value: "6"}}}]`) +
          claim(`    - {name: r, exactly: {deviceClassName: class-any, allocationMode: All}}`).replace('name: c,', 'name: c0,') +
          '---\n' +
          claim(`    - {name: r, exactly: {deviceClassName: class-any, allocationMode: All}}`, `    constraints:
    - {matchAttribute: driver-a/rank}`),
        {},
      ),
    upstream: (o) => expect(o).toMatchObject({ kind: 'error', message: 'claim default/c, request r: cannot add device driver-a/p/dev-0 because a claim constraint would not be satisfied' }),
  },
];

describe('engine differences from upstream v1.36 found by the property test (fixed)', () => {
  for (const k of KNOWN) {
    it(`reference gives upstream's answer: ${k.name}`, () => {
      const s = k.scenario();
      k.upstream(referenceAllocate({ objects: s.objects, claims: s.claims, node: NODE, features: featuresFromGates(s.gates) }));
    });
    it(`engine agrees: ${k.name}`, async () => {
      const { engine, reference } = await runBoth(k.scenario());
      expect(disagreement(engine, reference)).toBeUndefined();
    });
  }

  it(`agrees on ${RUNS} scenarios with the generator's knobs for these cases on`, { timeout: TIMEOUT }, () =>
    fc.assert(fc.asyncProperty(scenarioArbitrary({ distinctMulti: true, knownEngineBugs: true }), (s) => check(s)), { numRuns: RUNS, seed: SEED, endOnFailure: true }),
  );
});

describe('counter accounting: engine vs reference on counter-heavy scenarios (property)', () => {
  const mix = () => scenarioArbitrary({ counterMix: true, distinctMulti: true });
  for (const accounting of ['upstream', 'exact'] as const) {
    it(`agrees on ${RUNS} scenarios mixing counters with taints, constraints and shared devices (${accounting})`, { timeout: TIMEOUT }, async () => {
      const tally: Record<string, number> = { allocated: 0, unsatisfiable: 0, error: 0, sameSteps: 0 };
      await fc.assert(fc.asyncProperty(mix(), (s) => check(s, tally, accounting)), { numRuns: RUNS, seed: SEED + 1, endOnFailure: true });
      // Counters are tight here: most scenarios are unsatisfiable, but a fair share still allocates.
      expect(tally.allocated).toBeGreaterThan(RUNS / 10);
      console.log(`counter mix, ${accounting}: ${JSON.stringify(tally)}`);
    });
  }

  it('the two accountings answer differently on some of these scenarios (the quirks are exercised)', { timeout: TIMEOUT }, () => {
    let differ = 0;
    for (const s of fc.sample(mix(), { numRuns: RUNS, seed: SEED + 1 })) {
      const run = (counterAccounting: CounterAccounting) =>
        referenceAllocate({ objects: s.objects, claims: s.claims, node: NODE, features: featuresFromGates(s.gates), counterAccounting });
      const upstream = run('upstream');
      const exact = run('exact');
      if (disagreement(upstream, exact)) {
        differ++;
        // Upstream's leaks only take counters away: where it allocates, exact accounting does too.
        if (upstream.kind === 'allocated') expect(exact.kind).toBe('allocated');
      }
    }
    expect(differ).toBeGreaterThan(0);
    console.log(`counter mix: the accountings differ on ${differ} of ${RUNS} scenarios`);
  });
});
