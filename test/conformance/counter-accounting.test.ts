/**
 * The counter accounting option on the three upstream-quirks cases: the default (`upstream`)
 * answers unsatisfiable as kube-scheduler v1.36 does; `exact` finds the allocation worked out by
 * hand below — for the engine, the reference allocator and every CLI command that allocates
 * (run in-process).
 */
import { describe, it, expect } from 'vitest';
import { readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listCases, runCase, checkOutcome, featureGatesFor, QUIRKS_DIR, type Case, type Expect } from './cases.js';
import type { Allocation } from './compare.js';
import { loadText } from '../../src/model/load.js';
import { featuresFromGates, parseFeatureGates } from '../../src/features.js';
import { Engine, CounterAccountingError } from '../../src/engine.js';
import type { ResourceClaim } from '../../src/model/types.js';
import type { Outcome } from '../../src/outcome.js';
import type { CounterAccounting } from '../../src/wasm/layout.js';
import { referenceAllocate } from '../reference/allocator.js';
import { main } from '../../src/cli/main.js';
import type { CliIO } from '../../src/cli/io.js';

const quirks = new Map(listCases(QUIRKS_DIR).map((c) => [c.dir, c]));
const result = (request: string, device: string, extra: Record<string, unknown> = {}) => ({ request, driver: 'gpu.example.com', pool: 'p', device, ...extra });
/** The slices are local to node-1. */
const nodeSelector = { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-1'] }] }] };

/**
 * What exact accounting allocates (by hand, from the scenarios):
 * - q1: d0 (numa 1) first, then d1 and d2 fail the constraint and give their counters back; after
 *   backtracking d1 + d2 (numa 0) use 80Gi of 80Gi.
 * - q1b: d0's taint rejects it and its 40Gi come back; d1 + d2 use 80Gi of 80Gi.
 * - q2: claim-0 first takes a share of m (20Gi), claim-1's 80Gi then do not fit m's capacity
 *   (8Gi used); backtracking gives m's 20Gi back, claim-0 takes a (20Gi), claim-1 takes m
 *   (20Gi): 40Gi of 40Gi.
 */
const EXACT: Record<string, Allocation[]> = {
  'q1-counter-leak-constraint': [{ devices: { results: [result('r', 'd1'), result('r', 'd2')] }, nodeSelector }],
  'q1b-counter-leak-taint': [{ devices: { results: [result('r', 'd1'), result('r', 'd2')] }, nodeSelector }],
  'q2-multi-counter-leak': [
    { devices: { results: [result('r', 'a')] }, nodeSelector },
    { devices: { results: [result('r', 'm', { shareID: 'aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa', consumedCapacity: { memory: '80Gi' } })] }, nodeSelector },
  ],
};

/** The case with the outcome exact accounting gives. */
function exactCase(c: Case): Case {
  const expect: Expect = { ...c.expect, outcome: 'allocated', result_match: 'unordered', results: EXACT[c.dir] };
  return { ...c, expect };
}

function reference(c: Case, counterAccounting?: CounterAccounting) {
  const objects = loadText(readFileSync(c.scenarioFile, 'utf8'), c.scenarioFile).objects.map((l) => l.object);
  const claims = objects.filter((o): o is ResourceClaim => o.kind === 'ResourceClaim' && !o.status?.allocation);
  const features = featuresFromGates(parseFeatureGates(featureGatesFor(c.expect.features)));
  return referenceAllocate({ objects, claims, node: c.expect.node, features, counterAccounting });
}

describe('counter accounting: upstream (default) and exact', () => {
  it('has a hand-worked exact answer for every quirks case', () => {
    expect([...quirks.keys()].sort()).toEqual(Object.keys(EXACT).sort());
  });
  for (const c of quirks.values()) {
    it(`${c.dir}: engine, upstream accounting (explicit) is unsatisfiable`, { timeout: 60_000 }, async () => {
      expect(checkOutcome(c, await runCase(c, { counterAccounting: 'upstream' }))).toBeUndefined();
    });
    it(`${c.dir}: engine, exact accounting allocates`, { timeout: 60_000 }, async () => {
      expect(checkOutcome(exactCase(c), await runCase(c, { counterAccounting: 'exact' }))).toBeUndefined();
    });
    it(`${c.dir}: reference, both accountings`, { timeout: 60_000 }, () => {
      expect(checkOutcome(c, reference(c))).toBeUndefined();
      expect(checkOutcome(exactCase(c), reference(c, 'exact'))).toBeUndefined();
    });
  }

  it('AllocateOptions.counterAccounting overrides the engine\'s for one allocation (also on a reused problem)', async () => {
    const c = quirks.get('q1-counter-leak-constraint')!;
    const objects = loadText(readFileSync(c.scenarioFile, 'utf8'), c.scenarioFile).objects.map((l) => l.object);
    const claims = objects.filter((o): o is ResourceClaim => o.kind === 'ResourceClaim');
    const engine = await Engine.create({ objects, featureGates: featureGatesFor(c.expect.features) });
    const node = 'node-1';
    expect((await engine.allocate(claims, { node })).kind).toBe('unsatisfiable');
    expect(checkOutcome(exactCase(c), await engine.allocate(claims, { node, counterAccounting: 'exact' }))).toBeUndefined();
    expect((await engine.allocate(claims, { node })).kind).toBe('unsatisfiable');
    const exactEngine = await Engine.create({ objects, featureGates: featureGatesFor(c.expect.features), counterAccounting: 'exact' });
    expect((await exactEngine.allocate(claims, { node })).kind).toBe('allocated');
    expect((await exactEngine.allocate(claims, { node, counterAccounting: 'upstream' })).kind).toBe('unsatisfiable');
    await expect(engine.allocate(claims, { node, counterAccounting: 'clean' as CounterAccounting })).rejects.toThrow(
      'AllocateOptions.counterAccounting: invalid value "clean": want "upstream" or "exact"',
    );
  });

  it('rejects an unknown EngineOptions.counterAccounting with an error naming the option', async () => {
    const bad = Engine.create({ counterAccounting: 'clean' as CounterAccounting });
    await expect(bad).rejects.toBeInstanceOf(CounterAccountingError);
    await expect(Engine.create({ counterAccounting: 'clean' as CounterAccounting })).rejects.toThrow('EngineOptions.counterAccounting: invalid value "clean": want "upstream" or "exact"');
  });
});

// ---- upstream's allocatingCapacity entry of a shared device, by hand -------------------------------

/**
 * Pool p: counter set cs with mem 40. m: multi-allocatable, consumes 30, numa 0 (with
 * `capacity`, a capacity of 10 that one share uses up); x, y: plain, numa 1, no counters;
 * z: consumes 10. Claim c: r0 (any) and r1 (plain) with matchAttribute numa; claim c2: a share
 * of m and z.
 *
 * c first takes m for r0 (30), r1's x and y fail the constraint (no counters to keep), the search
 * backtracks over m's share, c ends with r0 x, r1 y; then c2 needs m (30) and z (10).
 * - exact: m's 30 came back, c2 fits (40 of 40).
 * - upstream, m without capacities: the rollback keeps the 30 and upstream's allocatingCapacity
 *   entry for m (Remove is skipped without consumedCapacity), so m's next share takes no
 *   counters: 30 + 10 = 40, c2 fits.
 * - upstream, m with a capacity: the entry goes with the share (nothing consumed any more), the
 *   next share takes the 30 again: 60 > 40, c2 never fits, unsatisfiable.
 */
function heldScenario(capacity: boolean): string {
  const dev = (name: string, extra: string) => `  - {name: ${name}, ${extra}}`;
  return `apiVersion: v1
kind: Node
metadata: {name: node-1}
---
apiVersion: resource.k8s.io/v1
kind: DeviceClass
metadata: {name: any}
spec: {}
---
apiVersion: resource.k8s.io/v1
kind: DeviceClass
metadata: {name: plain}
spec: {selectors: [{cel: {expression: 'device.attributes["d"].kind == "plain"'}}]}
---
apiVersion: resource.k8s.io/v1
kind: ResourceSlice
metadata: {name: s-counters}
spec:
  driver: d
  nodeName: node-1
  pool: {name: p, generation: 1, resourceSliceCount: 2}
  sharedCounters: [{name: cs, counters: {mem: {value: "40"}}}]
---
apiVersion: resource.k8s.io/v1
kind: ResourceSlice
metadata: {name: s-devices}
spec:
  driver: d
  nodeName: node-1
  pool: {name: p, generation: 1, resourceSliceCount: 2}
  devices:
${dev('m', `allowMultipleAllocations: true, attributes: {numa: {int: 0}, kind: {string: shared}}, consumesCounters: [{counterSet: cs, counters: {mem: {value: "30"}}}]${capacity ? ', capacity: {slots: {value: "10"}}' : ''}`)}
${dev('x', 'attributes: {numa: {int: 1}, kind: {string: plain}}')}
${dev('y', 'attributes: {numa: {int: 1}, kind: {string: plain}}')}
${dev('z', 'attributes: {kind: {string: z}}, consumesCounters: [{counterSet: cs, counters: {mem: {value: "10"}}}]')}
---
apiVersion: resource.k8s.io/v1
kind: ResourceClaim
metadata: {name: c, namespace: default}
spec:
  devices:
    requests:
    - {name: r0, exactly: {deviceClassName: any, count: 1}}
    - {name: r1, exactly: {deviceClassName: plain, count: 1}}
    constraints: [{matchAttribute: d/numa}]
---
apiVersion: resource.k8s.io/v1
kind: ResourceClaim
metadata: {name: c2, namespace: default}
spec:
  devices:
    requests:
    - {name: shared, exactly: {deviceClassName: any, count: 1, selectors: [{cel: {expression: 'device.attributes["d"].kind == "shared"'}}]}}
    - {name: z, exactly: {deviceClassName: any, count: 1, selectors: [{cel: {expression: 'device.attributes["d"].kind == "z"'}}]}}
`;
}

describe("upstream's allocatingCapacity entry of a shared device (hand-worked)", () => {
  const picks = (o: Outcome) => (o.kind === 'allocated' ? o.results.map((r) => (r.devices?.results ?? []).map((d) => `${d.request}:${d.device}`)) : o.kind);
  const fits = [['r0:x', 'r1:y'], ['shared:m', 'z:z']];
  const cases: [boolean, CounterAccounting, unknown][] = [
    [false, 'exact', fits],
    [true, 'exact', fits],
    [false, 'upstream', fits],
    [true, 'upstream', 'unsatisfiable'],
  ];
  for (const [capacity, accounting, want] of cases) {
    it(`m ${capacity ? 'with' : 'without'} capacity, ${accounting} accounting: engine and reference`, async () => {
      const objects = loadText(heldScenario(capacity), 'held.yaml').objects.map((l) => l.object);
      const claims = objects.filter((o): o is ResourceClaim => o.kind === 'ResourceClaim');
      const engine = await (await Engine.create({ objects, counterAccounting: accounting })).allocate(claims, { node: 'node-1' });
      expect(picks(engine)).toEqual(want);
      const features = featuresFromGates(parseFeatureGates(undefined));
      expect(picks(referenceAllocate({ objects, claims, node: 'node-1', features, counterAccounting: accounting }))).toEqual(want);
    });
  }
});

// ---- the CLI -------------------------------------------------------------------------------------

/** Runs `dralloc` in-process. */
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), readStdin: async () => '' };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

describe('--counter-accounting on the commands that allocate', () => {
  const q1 = quirks.get('q1-counter-leak-constraint')!;
  // q1 with a Pod that uses its claim, for schedule and report.
  const dir = mkdtempSync(join(tmpdir(), 'dralloc-accounting-'));
  const withPod = join(dir, 'q1-pod.yaml');
  writeFileSync(
    withPod,
    `${readFileSync(q1.scenarioFile, 'utf8')}
---
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: default, uid: uid-p}
spec:
  containers: [{name: main, image: busybox}]
  resourceClaims: [{name: gpu, resourceClaimName: c}]
`,
  );
  const gates = ['--feature-gates', featureGatesFor(q1.expect.features)];

  it('allocate: unsatisfiable by default and with upstream, allocates d1+d2 with exact', { timeout: 60_000 }, async () => {
    for (const flags of [[], ['--counter-accounting=upstream']]) {
      const r = await cli(['allocate', '-f', q1.scenarioFile, '--node', 'node-1', ...gates, ...flags]);
      expect(r.code).toBe(1);
      const lines = r.stderr.split('\n');
      expect(lines[0]).toBe('unsatisfiable: cannot allocate all claims on node node-1');
      // allocate's per-claim reason (from explain) names the accounting and the way out.
      expect(lines[1]).toContain('claim default/c cannot be allocated on node node-1');
      expect(lines[1]).toContain('--counter-accounting exact');
    }
    const r = await cli(['allocate', '-f', q1.scenarioFile, '--node', 'node-1', ...gates, '--counter-accounting', 'exact', '-o', 'json']);
    expect(r.code).toBe(0);
    const got = { kind: 'allocated' as const, results: JSON.parse(r.stdout).items.map((i: { status: { allocation: unknown } }) => i.status.allocation), stats: { steps: 0 } };
    expect(checkOutcome(exactCase(q1), got)).toBeUndefined();
  });

  it('schedule: the Pod is unschedulable by default and placed with exact', { timeout: 60_000 }, async () => {
    const upstream = await cli(['schedule', '-f', withPod, ...gates, '-o', 'json', '--quiet']);
    expect(upstream.code).toBe(1);
    const exact = await cli(['schedule', '-f', withPod, ...gates, '-o', 'json', '--quiet', '--counter-accounting=exact']);
    expect(exact.code).toBe(0);
    const pod = JSON.parse(exact.stdout).items.find((i: { kind: string }) => i.kind === 'Pod');
    expect(pod.spec.nodeName).toBe('node-1');
  });

  it('explain: the verdict follows the accounting; by default it names the accounting as the reason', { timeout: 60_000 }, async () => {
    const upstream = await cli(['explain', '-f', q1.scenarioFile, '--claim', 'default/c', '--node', 'node-1', ...gates]);
    expect(upstream.code).toBe(1);
    expect(upstream.stdout).toContain(
      "claim default/c on node node-1: unsatisfiable\n  kube-scheduler v1.36's shared-counter accounting keeps counters of devices it rejected or backtracked over (it fits with --counter-accounting exact)\n",
    );
    const exact = await cli(['explain', '-f', q1.scenarioFile, '--claim', 'default/c', '--node', 'node-1', ...gates, '--counter-accounting=exact']);
    expect(exact.code).toBe(0);
    expect(exact.stdout).toContain('claim default/c on node node-1: allocatable');
  });

  it('report: places the Pod only with exact', { timeout: 60_000 }, async () => {
    const out = join(dir, 'r.html');
    expect((await cli(['report', '-f', withPod, ...gates, '-o', out, '--quiet'])).code).toBe(1);
    const exact = await cli(['report', '-f', withPod, ...gates, '-o', out, '--quiet', '--counter-accounting=exact']);
    expect(exact.code).toBe(0);
    expect(exact.stdout).toContain('1 Pods, 1 placed, 0 unschedulable');
  });

  it('every command that allocates rejects an unknown value with a usage error (exit 2)', { timeout: 60_000 }, async () => {
    const commands = [
      ['allocate', '-f', q1.scenarioFile, '--node', 'node-1'],
      ['schedule', '-f', withPod],
      ['explain', '-f', q1.scenarioFile, '--claim', 'default/c'],
      ['report', '-f', withPod, '-o', join(dir, 'x.html')],
      ['scheduler', '--scheduler-name', 'x'],
    ];
    for (const args of commands) {
      const r = await cli([...args, '--counter-accounting=clean']);
      expect(r.code, args[0]).toBe(2);
      expect(r.stderr, args[0]).toMatch(/^error: --counter-accounting wants upstream or exact, got "clean"\n\nUsage: dralloc /);
      expect((await cli(['help', args[0]])).stdout, args[0]).toContain('--counter-accounting upstream|exact');
    }
  });
});
