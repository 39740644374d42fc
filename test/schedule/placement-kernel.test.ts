/**
 * The placement kernel (src/schedule/placement) against the host path: random small workloads
 * of every `dralloc gen` generator (random seeds and scales, fitting and overfull, both
 * strategies, with random node taints, Pod node selectors and tolerations, sampling percentages
 * and step budgets mixed in) are scheduled with the loop in WASM, the same loop in TypeScript and Pod by Pod on the
 * host; the Pods' nodes and messages, every claim and the counters must be identical.
 * After every run the kernel decoded, the host's allocated state must equal the kernel's
 * resident state (flags per device, counters left per node view, capacity left per shared
 * device). Hand-made consumable-capacity cases (multi-allocatable devices with request
 * policies, shared by several claims of one Pod and of many, shared counters, admin access,
 * both counter accountings) go through the same differential.
 *
 * Scaled down by default; DRALLOC_FULL=1 runs many more cases.
 */
import { describe, expect, it } from 'vitest';
import { Engine, type EngineOptions } from '../../src/engine.js';
import { schedule, scheduleSteps, type ScheduleOptions } from '../../src/schedule/scheduler.js';
import { generateWorkload } from '../../src/gen/registry.js';
import { Random } from '../../src/gen/random.js';
import { ResidentCluster } from '../../src/schedule/placement/resident.js';
import { residentMismatches } from './resident-check.js';
import { claimTemplate, deviceClass, driverIs, NAMESPACE, node, nodeSlice, pod } from '../../src/gen/builders.js';
import type { CapacityRequestPolicy, Device, DeviceRequest, DraObject, Node, Pod, ResourceClaim } from '../../src/model/types.js';
import { FULL } from '../full.js';

const WORKLOADS = ['gpu-5k', 'nvlink-4gpu', 'mig-1k', 'rdma-bw', 'fallback', 'mixed', 'gangs'];
const CASES = FULL ? 60 : 6;

interface Case {
  objects: DraObject[];
  engine: EngineOptions;
  opts: ScheduleOptions;
  label: string;
}

/** A random case: a workload at a small scale, maybe overfull, with node taints and Pod node constraints mixed in. */
function randomCase(workload: string, seed: number): Case {
  const rng = new Random(seed * 7919 + workload.length);
  const scale = 2 + rng.int(workload === 'mig-1k' ? 4 : 10);
  const w = generateWorkload(workload, { scale, seed });
  const overfull = rng.int(2) === 1;
  const pods = overfull ? generateWorkload(workload, { scale: scale * (2 + rng.int(4)), seed }).pods : w.pods;
  const templates = overfull ? generateWorkload(workload, { scale: scale * 5, seed }).templates : w.templates;
  const nodes: Node[] = w.nodes.map((n) => {
    if (rng.int(4) > 0) return n;
    return { ...n, metadata: { ...n.metadata, labels: { ...n.metadata.labels, pool: 'special' } }, spec: { ...(n as { spec?: object }).spec, taints: [{ key: 'special', value: 'yes', effect: 'NoSchedule' }] } } as Node;
  });
  const constrained: Pod[] = pods.map((p) => {
    const r = rng.int(8);
    if (r === 0) return { ...p, spec: { ...p.spec, nodeSelector: { pool: 'special' }, tolerations: [{ key: 'special', operator: 'Exists' }] } } as Pod;
    if (r === 1) return { ...p, spec: { ...p.spec, tolerations: [{ key: 'special', operator: 'Equal', value: 'yes' }] } } as Pod;
    return p;
  });
  const objects: DraObject[] = [...w.classes, ...nodes, ...w.slices, ...(w.claims ?? []), ...templates, ...(w.podGroups ?? []), ...constrained];
  const percentageOfNodesToScore = [0, 0, 30, 100][rng.int(4)];
  const maxSteps = [0, 0, 0, 40][rng.int(4)];
  const strategy = seed % 2 === 1 ? 'upstream' : 'pack';
  return {
    objects,
    engine: { maxSteps },
    opts: { percentageOfNodesToScore, strategy },
    label: `${workload} seed ${seed} ${strategy} scale ${scale}${overfull ? ' overfull' : ''} pct ${percentageOfNodesToScore} maxSteps ${maxSteps}`,
  };
}

const NIC_DRIVER = 'nic.example.com';
/** Request policies of a shared capacity: none, a default, a stepped range, a range without step or max, a list of values. */
const POLICIES: (CapacityRequestPolicy | undefined)[] = [
  undefined,
  { default: '10G' },
  { default: '10G', validRange: { min: '10G', max: '100G', step: '10G' } },
  { validRange: { min: '5G' } },
  { default: '25G', validValues: ['25G', '50G', '100G'] },
];

/**
 * A random consumable-capacity case: 2–6 nodes with 1–3 NICs each, most of them
 * multi-allocatable with a `bandwidth` capacity under one of POLICIES (some with a second
 * capacity, some with none, some consuming a per-node shared counter, one in ten not shared),
 * Pods with one or two claims (so a NIC is shared by claims of one Pod as well as by many Pods)
 * asking 0–2 capacities, sometimes two NICs, sometimes admin access, some with a ResourceClaim of
 * their own (placed by the host between two runs); sometimes a share allocated before; either
 * counter accounting; sometimes without DRAConsumableCapacity.
 */
function capacityCase(seed: number): Case {
  const rng = new Random(seed * 104729 + 17);
  const nodes: Node[] = Array.from({ length: 2 + rng.int(5) }, (_, i) => node(`cap-node-${i}`, rng));
  const slices = nodes.flatMap((n) => {
    const name = n.metadata.name;
    const counted = rng.int(3) === 0;
    const devices: Device[] = Array.from({ length: 1 + rng.int(3) }, (_, i) => {
      const d: Device = { name: `nic-${i}`, attributes: { numa: { int: i } } };
      if (rng.int(10) > 0) d.allowMultipleAllocations = true;
      const kind = rng.int(6);
      if (kind > 0) d.capacity = { bandwidth: { value: ['100G', '200G', '400G'][rng.int(3)], ...(rng.pick(POLICIES) ? { requestPolicy: rng.pick(POLICIES) } : {}) } };
      if (kind === 5) d.capacity!.queues = { value: '4', requestPolicy: { default: '1', validRange: { min: '1', max: '4' } } };
      if (counted) d.consumesCounters = [{ counterSet: 'ports', counters: { ports: { value: '1' } } }];
      return d;
    });
    if (!counted) return [nodeSlice(`${name}-nics`, name, NIC_DRIVER, 1, { devices })];
    return [
      nodeSlice(`${name}-ports`, name, NIC_DRIVER, 2, { sharedCounters: [{ name: 'ports', counters: { ports: { value: String(1 + rng.int(2)) } } }] }),
      nodeSlice(`${name}-nics`, name, NIC_DRIVER, 2, { devices }),
    ];
  });
  const templates = Array.from({ length: 2 + rng.int(4) }, (_, t) => {
    const requests: DeviceRequest[] = Array.from({ length: 1 + (rng.int(4) === 0 ? 1 : 0) }, (_, q) => {
      const caps: Record<string, string> = {};
      if (rng.int(3) > 0) caps.bandwidth = ['5G', '10G', '15G', '30G', '40G', '60G', '100G', '150G'][rng.int(8)];
      if (rng.int(5) === 0) caps.queues = String(1 + rng.int(3));
      return {
        name: `nic-${q}`,
        exactly: {
          deviceClassName: 'nic',
          count: rng.int(5) === 0 ? 2 : 1,
          ...(Object.keys(caps).length ? { capacity: { requests: caps } } : {}),
          ...(rng.int(10) === 0 ? { adminAccess: true } : {}),
        },
      };
    });
    return claimTemplate(`nic-${t}`, { devices: { requests } });
  });
  // One Pod in six uses a ResourceClaim of its own instead: the host places it between runs, and the resident state follows its shares.
  const claims: ResourceClaim[] = [];
  const pods: Pod[] = Array.from({ length: 6 + rng.int(30) }, (_, i) => {
    const names: Record<string, string> = { a: rng.pick(templates).metadata.name };
    if (rng.int(3) === 0) names.b = rng.pick(templates).metadata.name;
    const p = pod(`cap-pod-${i}`, names);
    if (rng.int(6) > 0) return p;
    const own: ResourceClaim = { apiVersion: 'resource.k8s.io/v1', kind: 'ResourceClaim', metadata: { name: `cap-claim-${i}`, namespace: NAMESPACE }, spec: rng.pick(templates).spec.spec };
    claims.push(own);
    return { ...p, spec: { ...p.spec, resourceClaims: [{ name: 'a', resourceClaimName: own.metadata.name }] } } as Pod;
  });
  // Sometimes a claim of no Pod already holds a share of the first node's first NIC (the resident state is seeded with it).
  const first = slices.find((sl) => sl.spec.devices)!.spec.devices![0];
  if (first.allowMultipleAllocations && first.capacity?.bandwidth && rng.int(2) === 0) {
    const result = { request: 'nic-0', driver: NIC_DRIVER, pool: nodes[0].metadata.name, device: first.name, shareID: '9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d', consumedCapacity: { bandwidth: '30G' } };
    claims.push({ apiVersion: 'resource.k8s.io/v1', kind: 'ResourceClaim', metadata: { name: 'cap-held', namespace: NAMESPACE }, spec: templates[0].spec.spec, status: { allocation: { devices: { results: [result] } } } } as ResourceClaim);
  }
  const counterAccounting = rng.int(2) === 0 ? 'upstream' : 'exact';
  // Without DRAConsumableCapacity a multi-allocatable device is an ordinary one (and a share held before blocks it).
  const featureGates = rng.int(6) === 0 ? 'DRAConsumableCapacity=false' : undefined;
  const strategy = seed % 2 === 1 ? 'upstream' : 'pack';
  const percentageOfNodesToScore = [0, 0, 50][rng.int(3)];
  return {
    objects: [deviceClass('nic', driverIs(NIC_DRIVER)), ...nodes, ...slices, ...templates, ...claims, ...pods],
    engine: { counterAccounting, featureGates },
    opts: { strategy, percentageOfNodesToScore },
    label: `capacity seed ${seed} ${strategy} ${counterAccounting} pct ${percentageOfNodesToScore}${featureGates ? ` ${featureGates}` : ''}${claims.some((c) => c.status) ? ' held share' : ''}`,
  };
}

/** What must agree: every Pod's node and message, every claim (share IDs aside), the counters (nodes examined, searches, summary rejections), the groups. */
async function outcome(c: Case, placement: 'wasm' | 'ts' | 'host', placed?: { n: number }): Promise<string> {
  const engine = await Engine.create({ ...c.engine, objects: c.objects });
  const r = schedule(engine, c.objects, { ...c.opts, placement });
  if (placed) placed.n += r.placement?.placed ?? 0;
  const text = JSON.stringify({
    pods: r.pods.map((p) => [p.pod.metadata.name, p.node, p.message]),
    claims: r.claims,
    counters: r.counters,
    groups: r.groups,
  });
  return text.replace(/"shareID":"[0-9a-f-]{36}"/g, '"shareID":"<uuid>"');
}

describe('the placement kernel answers as the host does', () => {
  for (const workload of WORKLOADS) {
    it(`${workload}: wasm, ts and host loops agree on ${CASES} random cases`, { timeout: 120_000 }, async () => {
      for (let seed = 1; seed <= CASES; seed++) {
        const c = randomCase(workload, seed);
        const host = await outcome(c, 'host');
        expect(await outcome(c, 'wasm'), c.label).toBe(host);
        expect(await outcome(c, 'ts'), c.label).toBe(host);
      }
    });
  }

  it(`consumable capacity: wasm, ts and host loops agree on ${4 * CASES} hand-made cases`, { timeout: 120_000 }, async () => {
    const placed = { n: 0 };
    for (let seed = 1; seed <= 4 * CASES; seed++) {
      const c = capacityCase(seed);
      const host = await outcome(c, 'host');
      expect(await outcome(c, 'wasm', placed), c.label).toBe(host);
      expect(await outcome(c, 'ts'), c.label).toBe(host);
    }
    // The kernel placed Pods on shared devices itself (it did not hand them all to the host).
    expect(placed.n).toBeGreaterThan(20 * CASES);
  });

  it('a Pod the host placed between two runs: the next run judges the nodes it touched anew', { timeout: 60_000 }, async () => {
    // Three nodes with one dedicated NIC each. The template's first choice (two NICs) fits no
    // node, so a Pod's walk judges every node (score 7 < 8): the first takes node 0; the Pod with
    // a claim of its own is the host's and takes node 1 (node 0 ruled out); the third walks from
    // node 2 (the rotation moved by 3, then 2), takes it, and the summary check rules out nodes 0
    // and 1 (a verdict kept from the first run would let node 1 be searched instead).
    const rng = new Random(1);
    const nodes = [node('n0', rng), node('n1', rng), node('n2', rng)];
    const slices = nodes.map((n) => nodeSlice(`${n.metadata.name}-nics`, n.metadata.name, NIC_DRIVER, 1, { devices: [{ name: 'nic-0' }] }));
    const spec = { devices: { requests: [{ name: 'nic', firstAvailable: [{ name: 'two', deviceClassName: 'nic', count: 2 }, { name: 'one', deviceClassName: 'nic', count: 1 }] }] } };
    const own: ResourceClaim = { apiVersion: 'resource.k8s.io/v1', kind: 'ResourceClaim', metadata: { name: 'own', namespace: NAMESPACE }, spec: { devices: { requests: [{ name: 'nic', exactly: { deviceClassName: 'nic' } }] } } };
    const host = pod('p1-host', { a: 'x' });
    host.spec.resourceClaims = [{ name: 'a', resourceClaimName: 'own' }];
    const objects: DraObject[] = [deviceClass('nic', driverIs(NIC_DRIVER)), ...nodes, ...slices, claimTemplate('two-or-one', spec), own, pod('p0', { a: 'two-or-one' }), host, pod('p2', { a: 'two-or-one' })];
    const c: Case = { objects, engine: {}, opts: { strategy: 'upstream' }, label: 'host Pod between runs' };
    const engine = await Engine.create({ objects });
    const r = schedule(engine, objects, { placement: 'wasm' });
    expect(r.pods.map((p) => p.node)).toEqual(['n0', 'n1', 'n2']);
    expect(r.counters.rejectedBySummary).toBe(3);
    expect(r.placement!.placed).toBe(2);
    const hostOutcome = await outcome(c, 'host');
    expect(await outcome(c, 'wasm'), c.label).toBe(hostOutcome);
    expect(await outcome(c, 'ts'), c.label).toBe(hostOutcome);
  });

  it('pack: runs that pause carry their shapes\' orders to the next run and answer as the host does', { timeout: 120_000 }, async () => {
    for (const [workload, scale] of [['rdma-bw', 160], ['gpu-5k', 400], ['mig-1k', 120], ['mixed', 100]] as const) {
      const w = generateWorkload(workload, { scale, seed: 5 });
      const c: Case = { objects: [...w.classes, ...w.nodes, ...w.slices, ...w.templates, ...w.pods], engine: {}, opts: { strategy: 'pack' }, label: `${workload} pack scale ${scale}` };
      const engine = await Engine.create({ objects: c.objects });
      const r = schedule(engine, c.objects, { ...c.opts, placement: 'wasm' });
      // Many runs (each pauses after 16,384 node visits), every Pod placed by the kernel.
      expect(r.placement!.runs, c.label).toBeGreaterThan(2);
      expect(r.placement!.placed, c.label).toBe(w.pods.length);
      const host = await outcome(c, 'host');
      expect(await outcome(c, 'wasm'), c.label).toBe(host);
      expect(await outcome(c, 'ts'), c.label).toBe(host);
    }
  });

  // (A claim released meanwhile is not compared: the host path's per-node summaries would not
  // know of it — Scheduler.stateChanged is the embedder's business — so neither path is exact.)
  it('engine changes between two Pods (a DeviceClass and a slice upserted again) are seen by the next run', { timeout: 120_000 }, async () => {
    for (const [workload, seed] of [['mig-1k', 3], ['mig-1k', 4], ['gpu-5k', 3], ['gpu-5k', 4]] as const) {
      const c = randomCase(workload, seed);
      const run = async (placement: 'wasm' | 'ts' | 'host') => {
        const engine = await Engine.create({ ...c.engine, objects: c.objects });
        const steps = scheduleSteps(engine, c.objects, { ...c.opts, placement });
        let s = steps.next();
        for (let k = 1; !s.done; k++, s = steps.next()) {
          // Equal copies: the answers stay the same, but the problem cache and node views are dropped.
          if (k % 7 === 0) engine.upsert([{ ...c.objects.find((o) => o.kind === 'DeviceClass')! }]);
          if (k % 11 === 0) engine.upsert([{ ...c.objects.find((o) => o.kind === 'ResourceSlice')! }]);
        }
        return JSON.stringify(s.value.pods.map((p) => [p.pod.metadata.name, p.node, p.message])).replace(/"shareID":"[0-9a-f-]{36}"/g, '');
      };
      const host = await run('host');
      expect(await run('wasm'), c.label).toBe(host);
      expect(await run('ts'), c.label).toBe(host);
    }
  });

  it('a pool several nodes see: its shared counters are one counter in the resident tables, whichever node numbers them first', { timeout: 60_000 }, async () => {
    // Pool `rack` has a counter slice on n0 (counters `slots` = 2 and `spare` = 9 in set `rack`)
    // and one device slice per node; every device takes one `slots`. Every node sees the counter
    // slice, so all three nodes' tables list the pool's counters: n0 numbers them, n1 and n2 must
    // find the same numbers by set and name. Two devices can be allocated in the whole cluster,
    // so of four one-device Pods two get a node (n0, then n1: the rotation) and two none.
    const rng = new Random(3);
    const nodes = [node('n0', rng), node('n1', rng), node('n2', rng)];
    const pool = (name: string, nodeName: string, body: object) =>
      ({ apiVersion: 'resource.k8s.io/v1', kind: 'ResourceSlice', metadata: { name }, spec: { driver: NIC_DRIVER, pool: { name: 'rack', generation: 1, resourceSliceCount: 4 }, nodeName, ...body } }) as DraObject;
    const counters = pool('rack-counters', 'n0', { sharedCounters: [{ name: 'rack', counters: { spare: { value: '9' }, slots: { value: '2' } } }] });
    const devices = nodes.map((n) => pool(`rack-${n.metadata.name}`, n.metadata.name, { devices: [{ name: `nic-${n.metadata.name}`, consumesCounters: [{ counterSet: 'rack', counters: { slots: { value: '1' } } }] }] }));
    const objects: DraObject[] = [deviceClass('nic', driverIs(NIC_DRIVER)), ...nodes, counters, ...devices, claimTemplate('one', { devices: { requests: [{ name: 'nic', exactly: { deviceClassName: 'nic' } }] } }), ...['p0', 'p1', 'p2', 'p3'].map((name) => pod(name, { a: 'one' }))];
    const c: Case = { objects, engine: {}, opts: { strategy: 'upstream' }, label: 'rack pool' };
    const engine = await Engine.create({ objects });
    const r = schedule(engine, objects, { placement: 'wasm' });
    expect(r.pods.map((p) => p.node)).toEqual(['n0', 'n1', undefined, undefined]);
    expect(residentMismatches(engine, ResidentCluster.kept(engine)!)).toEqual([]);
    const hostOutcome = await outcome(c, 'host');
    expect(await outcome(c, 'wasm'), c.label).toBe(hostOutcome);
    expect(await outcome(c, 'ts'), c.label).toBe(hostOutcome);
  });

  it('after each decoded run the resident state equals the allocated state', { timeout: 120_000 }, async () => {
    let checked = 0;
    for (const workload of ['mig-1k', 'gpu-5k', 'mixed', 'rdma-bw', 'capacity']) {
      for (let seed = 1; seed <= 4; seed++) {
        const c = workload === 'capacity' ? capacityCase(seed) : randomCase(workload, seed);
        const engine = await Engine.create({ ...c.engine, objects: c.objects });
        const steps = scheduleSteps(engine, c.objects, { ...c.opts, placement: 'wasm' });
        for (let s = steps.next(); !s.done; s = steps.next()) {
          const r = ResidentCluster.kept(engine);
          if (!r || r.mirrors !== engine.inspect().allocated.version) continue;
          expect(residentMismatches(engine, r), c.label).toEqual([]);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(20);
  });

  it('slices changing between runs do not grow the solver memory: the tables are patched (or rebuilt, reclaiming the arena), the run area shared', { timeout: 120_000 }, async () => {
    const w = generateWorkload('gpu-5k', { scale: 300, seed: 1 });
    const base: DraObject[] = [...w.classes, ...w.nodes, ...w.slices, ...w.templates];
    const engine = await Engine.create({ objects: base });
    const memory = () => engine.placementContext.memory.wasm.memory.buffer.byteLength;
    const sizes: number[] = [];
    for (let k = 0; k < 60; k++) {
      // An equal copy of a slice: a layout change the next run patches into its tables (a new Scheduler each time).
      engine.upsert([{ ...w.slices[k % w.slices.length] }]);
      const pod = w.pods[k];
      const r = schedule(engine, [...base, pod], { placement: 'wasm' });
      expect(r.placement?.placed, `run ${k}`).toBe(1); // the kernel placed it (so it brought its tables up to date)
      sizes.push(memory());
    }
    expect(sizes[59]).toBe(sizes[9]);
  });
  it('results decoded by the kernel carry the node selector of the device picked: pinned by a nodeName, the slice\'s or device\'s selector otherwise', { timeout: 60_000 }, async () => {
    const rng = new Random(5);
    const D = 'gpu.example.com';
    const nodes = ['n0', 'n1', 'n2', 'n3', 'n4'].map((n) => node(n, rng));
    const host = (n: string) => ({ nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [n] }] }] });
    const devices = [{ name: 'gpu-0' }, { name: 'gpu-1' }];
    // n0, n1: node-local slices; n2, n3: slices for the node by selector — one node shape, so one
    // problem serves both, and each claim must still get its own node's selector; n4: per-device
    // selection, one device with the node's name, one with a selector.
    const slices = [
      nodeSlice('s0', 'n0', D, 1, { devices }),
      nodeSlice('s1', 'n1', D, 1, { devices }),
      ...['n2', 'n3'].map((n) => ({ ...nodeSlice(`s-${n}`, n, D, 1, { devices }), spec: { driver: D, pool: { name: n, generation: 1, resourceSliceCount: 1 }, nodeSelector: host(n), devices } })),
      { ...nodeSlice('s4', 'n4', D, 1, { devices }), spec: { driver: D, pool: { name: 'n4', generation: 1, resourceSliceCount: 1 }, perDeviceNodeSelection: true, devices: [{ name: 'gpu-0', nodeName: 'n4' }, { name: 'gpu-1', nodeSelector: host('n4') }] } },
    ] as DraObject[];
    const pinned = (n: string) => ({ nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [n] }] }] });
    // Worked out from the slices: the selector a claim gets for each (pool, device).
    const expected = (pool: string, device: string) => (pool === 'n2' || pool === 'n3' ? host(pool) : pool === 'n4' && device === 'gpu-1' ? host('n4') : pinned(pool));
    const pods = Array.from({ length: 10 }, (_, i) => pod(`p${i}`, { gpu: 'one' }));
    const objects: DraObject[] = [deviceClass('gpu', driverIs(D)), ...nodes, ...slices, claimTemplate('one', { devices: { requests: [{ name: 'gpu', exactly: { deviceClassName: 'gpu' } }] } }), ...pods];
    const answers = [];
    for (const placement of ['wasm', 'host'] as const) {
      const r = schedule(await Engine.create({ objects }), objects, { placement });
      if (placement === 'wasm') expect(r.placement!.placed).toBe(10);
      expect(r.pods.every((p) => p.node)).toBe(true);
      const seen = r.claims.map((c) => {
        const a = c.status!.allocation!;
        const d = a.devices!.results![0];
        expect(a.nodeSelector, `${d.pool}/${d.device}`).toEqual(expected(d.pool, d.device));
        return `${d.pool}/${d.device}`;
      });
      expect(new Set(seen).size).toBe(10); // every device, so every kind of selector, was picked
      answers.push(JSON.stringify(r.claims));
    }
    expect(answers[0]).toBe(answers[1]);
  });
});

