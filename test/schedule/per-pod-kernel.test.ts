/**
 * The per-Pod API (Scheduler.schedulePod / schedulePodAsync) through the placement kernel,
 * against the host path over a live-like history: random sequences of slice upserts (a new
 * generation, a device dropped, the devices restored), slice deletes and re-creations, Nodes
 * tainted or untainted (a new Scheduler then, at the same rotating start, as the live scheduler
 * makes one), claims committed and released outside the scheduler (Scheduler.stateChanged
 * told, as the live scheduler does) and Pods placed one at a time — their claims stamped from
 * templates, or (as the live scheduler's, created in the cluster first) pending claims by name. Every Pod's decision (node, message, the claims
 * it changed) from the long-lived kernel-placed engine must equal the decision of
 *
 * - a long-lived engine that saw the same history with `placement: 'host'`, and
 * - a fresh engine built from the objects of that moment, with a fresh host-path Scheduler
 *   started at the same rotating start,
 *
 * the counters must agree with the long-lived host path's, the kernel must have placed Pods, no
 * device may ever be in two claims, and after each Pod the kernel's resident state (patched on
 * slice and Node changes, not rebuilt) must equal the allocated state whenever it claims to mirror it.
 */
import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine.js';
import { Scheduler, type Strategy } from '../../src/schedule/scheduler.js';
import { generateWorkload } from '../../src/gen/registry.js';
import { Random } from '../../src/gen/random.js';
import type { DraObject, Node, Pod, ResourceClaim, ResourceSlice } from '../../src/model/types.js';
import { ResidentCluster } from '../../src/schedule/placement/resident.js';
import { FULL } from '../full.js';
import { residentMismatches } from './resident-check.js';
import { distinctObjects } from '../bounds/hostile.js';
import { loopTurns } from '../loop-turns.js';

const WORKLOADS = ['gpu-5k', 'mig-1k', 'rdma-bw', 'fallback', 'nvlink-4gpu', 'mixed'];
const SEQUENCES = FULL ? 12 : 2;
const STEPS = 60;

const decisionText = (d: { node?: string; message?: string; updated: readonly ResourceClaim[] }) =>
  JSON.stringify([d.node, d.message, d.updated]).replace(/"shareID":"[0-9a-f-]{36}"/g, '"shareID":"<uuid>"');

/** Devices held by two claims at once (admin access and shared devices aside). */
function doubleBooked(claims: readonly ResourceClaim[]): string[] {
  const seen = new Set<string>();
  const twice: string[] = [];
  for (const c of claims) {
    for (const r of c.status?.allocation?.devices?.results ?? []) {
      if (r.adminAccess || r.shareID) continue;
      const id = `${r.driver}/${r.pool}/${r.device}`;
      if (seen.has(id)) twice.push(id);
      seen.add(id);
    }
  }
  return twice;
}

async function sequence(workload: string, seed: number, strategy: Strategy): Promise<{ placedByKernel: number; pods: number; mirrored: number }> {
  const rng = new Random(seed * 104729 + workload.length);
  const scale = 2 + rng.int(workload === 'mig-1k' ? 3 : 8);
  const w = generateWorkload(workload, { scale, seed });
  const more = generateWorkload(workload, { scale: scale * 4, seed });
  const pods = more.pods.filter((p) => !p.spec.resourceClaims?.some((c) => c.resourceClaimName));
  const templates = more.templates;
  const nodes: Node[] = [...w.nodes];
  const fixed = (): DraObject[] => [...w.classes, ...nodes];
  const slices = new Map(w.slices.map((s) => [s.metadata!.name!, s]));
  const original = new Map(slices);
  const label = `${workload} seed ${seed} ${strategy} scale ${scale}`;

  const kernelEngine = await Engine.create({ objects: [...fixed(), ...w.slices] });
  const hostEngine = await Engine.create({ objects: [...fixed(), ...w.slices] });
  let kernel = new Scheduler(kernelEngine, [...fixed(), ...templates], { strategy, placement: 'wasm' });
  let host = new Scheduler(hostEngine, [...fixed(), ...templates], { strategy, placement: 'host' });
  let placedByKernel = 0;
  let mirrored = 0;
  const both = (f: (e: Engine, s: Scheduler) => void) => {
    f(kernelEngine, kernel);
    f(hostEngine, host);
  };
  /** Allocated claims by namespace/name (committed outside, or placed with a Pod). */
  const claims = new Map<string, ResourceClaim>();
  const keyOf = (c: ResourceClaim) => `${c.metadata.namespace}/${c.metadata.name}`;
  const outside = templates[0].spec;
  /** The Pod with its claims created beforehand from its templates and recorded in its status (as the live scheduler with --manage-claims has them). */
  const withNamedClaims = (pod: Pod): { pod: Pod; claims: ResourceClaim[] } => {
    const ns = pod.metadata.namespace ?? 'default';
    const claims: ResourceClaim[] = [];
    const statuses: { name: string; resourceClaimName: string }[] = [];
    for (const rc of pod.spec.resourceClaims ?? []) {
      const t = templates.find((x) => x.metadata.name === rc.resourceClaimTemplateName && (x.metadata.namespace ?? 'default') === ns);
      if (!t) return { pod, claims: [] };
      const name = `${pod.metadata.name}-${rc.name}-created`;
      claims.push({ apiVersion: 'resource.k8s.io/v1', kind: 'ResourceClaim', metadata: { name, namespace: ns }, spec: t.spec.spec });
      statuses.push({ name: rc.name, resourceClaimName: name });
    }
    return { pod: { ...pod, status: { ...pod.status, resourceClaimStatuses: statuses } } as Pod, claims };
  };
  let podAt = 0;
  let outsideAt = 0;

  for (let step = 0; step < STEPS && podAt < pods.length; step++) {
    const r = rng.int(10);
    const names = [...original.keys()];
    const name = names[rng.int(names.length)];
    if (r === 0 || r === 1) {
      // A slice published again: next generation, maybe without its last device, maybe restored.
      const was = slices.get(name) ?? original.get(name)!;
      const devices = rng.int(2) === 0 ? original.get(name)!.spec.devices : (was.spec.devices ?? []).slice(0, -1);
      const s: ResourceSlice = { ...was, spec: { ...was.spec, devices, pool: { ...was.spec.pool, generation: was.spec.pool.generation + 1 } } };
      slices.set(name, s);
      both((e, sc) => (e.upsert([s]), sc.stateChanged()));
    } else if (r === 2) {
      if (slices.delete(name)) both((e, sc) => (e.delete([`ResourceSlice/${name}`]), sc.stateChanged()));
    } else if (r === 3) {
      // A claim allocated elsewhere (another scheduler) on a random node.
      const node = w.nodes[rng.int(w.nodes.length)].metadata.name;
      const c: ResourceClaim = { apiVersion: 'resource.k8s.io/v1', kind: 'ResourceClaim', metadata: { name: `outside-${outsideAt++}`, namespace: 'default' }, spec: outside.spec };
      const o = kernelEngine.allocateSync([c], { node });
      if (o.kind === 'allocated') {
        const committed = kernelEngine.commit(c, o.results[0]);
        hostEngine.commit(c, o.results[0]);
        both((_e, sc) => sc.stateChanged());
        claims.set(keyOf(committed), committed);
      }
    } else if (r === 5 && rng.int(3) === 0) {
      // A Node tainted (or its taint gone): its Pods' node checks change; new Schedulers, as the live scheduler makes.
      const i = rng.int(nodes.length);
      const n = nodes[i] as Node & { spec?: { taints?: unknown[] } };
      const taints = n.spec?.taints?.length ? [] : [{ key: 'maintenance', value: 'yes', effect: 'NoSchedule' }];
      nodes[i] = { ...n, spec: { ...n.spec, taints } } as Node;
      both((e) => e.upsert([nodes[i]]));
      expect(kernel.counters, label).toEqual(host.counters);
      placedByKernel += kernel.runs!.stats.placed;
      const rotation = host.rotation;
      kernel = new Scheduler(kernelEngine, [...fixed(), ...templates], { strategy, placement: 'wasm' });
      host = new Scheduler(hostEngine, [...fixed(), ...templates], { strategy, placement: 'host' });
      kernel.rotation = host.rotation = rotation;
    } else if (r === 4 && claims.size > 0) {
      // A claim released (a Pod finished, or the outside claim deleted).
      const keys = [...claims.keys()];
      const gone = claims.get(keys[rng.int(keys.length)])!;
      claims.delete(keyOf(gone));
      both((e, sc) => (e.release(gone), sc.stateChanged()));
    } else {
      const named = rng.int(3) === 0 ? withNamedClaims(pods[podAt]) : { pod: pods[podAt], claims: [] };
      const pod = named.pod;
      podAt++;
      both((e, sc) => {
        e.upsert(named.claims);
        named.claims.forEach((c) => sc.remember(c));
      });
      // The reference first: a fresh engine of this moment, a fresh host scheduler at the same rotating start.
      const fresh = await Engine.create({ objects: [...fixed(), ...slices.values(), ...claims.values(), ...named.claims] });
      const freshScheduler = new Scheduler(fresh, [...fixed(), ...templates, ...named.claims], { strategy, placement: 'host' });
      freshScheduler.rotation = host.rotation;
      const expected = decisionText(freshScheduler.schedulePod(pod));
      const viaHost = decisionText(host.schedulePod(pod));
      const d = rng.int(2) === 0 ? kernel.schedulePod(pod) : await kernel.schedulePodAsync(pod);
      expect(viaHost, `${label} step ${step} ${pod.metadata.name}: long-lived host vs fresh`).toBe(expected);
      expect(decisionText(d), `${label} step ${step} ${pod.metadata.name}: kernel vs fresh host`).toBe(expected);
      expect(kernel.rotation, label).toBe(host.rotation);
      if (d.node) for (const c of d.updated) claims.set(keyOf(c), c);
      const resident = ResidentCluster.kept(kernelEngine);
      if (resident && resident.mirrors === kernelEngine.inspect().allocated.version) {
        expect(residentMismatches(kernelEngine, resident), `${label} step ${step}`).toEqual([]);
        mirrored++;
      }
    }
  }
  expect(kernel.counters, label).toEqual(host.counters);
  expect(doubleBooked(kernelEngine.listClaims()), label).toEqual([]);
  return { placedByKernel: placedByKernel + kernel.runs!.stats.placed, pods: podAt, mirrored };
}

describe('schedulePod through the placement kernel answers as a fresh engine on the host path', () => {
  for (const workload of WORKLOADS) {
    it(`${workload}: ${SEQUENCES * 2} random histories of slice, claim and Pod changes`, { timeout: 180_000 }, async () => {
      let placed = 0;
      let pods = 0;
      let mirrored = 0;
      for (let seed = 1; seed <= SEQUENCES; seed++) {
        for (const strategy of ['upstream', 'pack'] as const) {
          const r = await sequence(workload, seed, strategy);
          placed += r.placedByKernel;
          pods += r.pods;
          mirrored += r.mirrored;
        }
      }
      expect(pods).toBeGreaterThan(20);
      expect(placed).toBeGreaterThan(0); // the kernel, not only the host, placed Pods
      expect(mirrored).toBeGreaterThan(0);
    });
  }
});

describe('schedulePodAsync through the placement kernel still yields during a long search', () => {
  it('a search over the kernel step slice goes to the host, whose search yields between slices; the answer is the host path’s', { timeout: 60_000 }, async () => {
    // The hostile fixture: 8 × 1 device with distinctAttribute over 7 values, no answer; a step
    // budget of five slices (2^14 steps each) makes the number of pauses per node independent of
    // the machine's speed. Its Pod names its claim (pending): a run of one may place it.
    const { objects } = await distinctObjects();
    const pod = objects.find((o): o is Pod => o.kind === 'Pod' && o.metadata.name === 'hostile')!;
    const decide = async (placement: 'wasm' | 'host') => {
      const engine = await Engine.create({ objects, filterTimeoutMs: 0, maxSteps: 5 * 16_384 });
      const scheduler = new Scheduler(engine, objects, { placement });
      const turns = loopTurns();
      const d = await scheduler.schedulePodAsync(pod);
      turns.stop();
      return { d, turns: turns.count(), runs: scheduler.runs?.stats, steps: engine.solverSteps };
    };
    const kernel = await decide('wasm');
    const host = await decide('host');
    expect(kernel.d.node).toBeUndefined();
    expect(kernel.d.message).toContain('search stopped after 81920 steps without an answer (step budget)');
    expect(decisionText(kernel.d)).toBe(decisionText(host.d));
    // The kernel was tried (a run of one) and placed nothing; the host's searches on the two
    // nodes paused four times each: the event loop turned meanwhile.
    expect(kernel.runs).toMatchObject({ runs: 1, placed: 0 });
    // The kernel searched one slice on the first node (STOP_HOST), then the host searched as alone.
    expect(kernel.steps - host.steps).toBe(16_384);
    expect(kernel.turns).toBeGreaterThanOrEqual(8);
  });
});

describe('concurrent schedulePodAsync calls', () => {
  it('a Pod asked for while another Pod’s search is paused is decided by the host after it, as without the kernel', { timeout: 60_000 }, async () => {
    const { objects } = await distinctObjects();
    const hostile = objects.find((o): o is Pod => o.kind === 'Pod' && o.metadata.name === 'hostile')!;
    const easy = objects.find((o): o is Pod => o.kind === 'Pod' && o.metadata.name === 'easy')!;
    const both = async (placement: 'wasm' | 'host') => {
      const engine = await Engine.create({ objects, filterTimeoutMs: 0, maxSteps: 5 * 16_384 });
      const scheduler = new Scheduler(engine, objects, { placement });
      const slow = scheduler.schedulePodAsync(hostile);
      await new Promise((r) => setImmediate(r)); // the hostile search is paused now
      expect(engine.searchPaused).toBe(true);
      const [a, b] = await Promise.all([slow, scheduler.schedulePodAsync(easy)]);
      return [decisionText(a), decisionText(b)];
    };
    const kernel = await both('wasm');
    expect(kernel[1]).toContain('"n1"'); // the easy Pod got a device on n1
    expect(kernel).toEqual(await both('host'));
  });
});

describe('a run of one builds the resident tables anew only after nodes ÷ 8 Pods on the host', () => {
  it('64 nodes: 8 Pods decided by the host while the tables would need a rebuild, then the kernel; slice changes are patched, a DeviceClass change waits again', { timeout: 60_000 }, async () => {
    const w = generateWorkload('gpu-5k', { scale: 64, seed: 3 });
    const objects: DraObject[] = [...w.classes, ...w.nodes, ...w.slices];
    const kernelEngine = await Engine.create({ objects });
    const hostEngine = await Engine.create({ objects });
    const kernel = new Scheduler(kernelEngine, [...objects, ...w.templates], { placement: 'wasm' });
    const host = new Scheduler(hostEngine, [...objects, ...w.templates], { placement: 'host' });
    let next = 0;
    /** Places the next Pod both ways (the same answer) and says whether the kernel placed it. */
    const placeNext = () => {
      const pod = w.pods[next++];
      const before = kernel.runs!.stats.placed;
      expect(decisionText(kernel.schedulePod(pod))).toBe(decisionText(host.schedulePod(pod)));
      return kernel.runs!.stats.placed - before;
    };
    const placedOf = (n: number) => Array.from({ length: n }, placeNext);
    // No tables yet: 8 Pods on the host, then the kernel builds them and places the rest.
    expect(placedOf(10)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 1, 1]);
    // A slice republished: patched, so the kernel places the very next Pod.
    const s = w.slices[5];
    for (const e of [kernelEngine, hostEngine]) e.upsert([{ ...s, spec: { ...s.spec, pool: { ...s.spec.pool, generation: s.spec.pool.generation + 1 } } }]);
    for (const sc of [kernel, host]) sc.stateChanged();
    expect(placedOf(2)).toEqual([1, 1]);
    // A DeviceClass upserted (an equal copy): the tables would be built anew: 8 Pods wait again.
    for (const e of [kernelEngine, hostEngine]) e.upsert([{ ...w.classes[0] }]);
    expect(placedOf(10)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 1, 1]);
  });
});
