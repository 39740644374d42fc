/**
 * The placement kernel (src/schedule/placement) against the host path: random small workloads
 * of every `dralloc gen` generator (random seeds and scales, fitting and overfull, both
 * strategies, with random node taints, Pod node selectors and tolerations, sampling percentages
 * and step budgets mixed in) are scheduled with the loop in WASM, the same loop in TypeScript and Pod by Pod on the
 * host; the Pods' nodes and messages, every claim and the counters must be identical.
 * After every run the kernel decoded, the host's allocated state must equal the kernel's
 * resident state (flags per device, counters left per node view).
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
import type { DraObject, Node, Pod } from '../../src/model/types.js';
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

/** What must agree: every Pod's node and message, every claim (share IDs aside), the counters (nodes examined, searches, summary rejections), the groups. */
async function outcome(c: Case, placement: 'wasm' | 'ts' | 'host'): Promise<string> {
  const engine = await Engine.create({ ...c.engine, objects: c.objects });
  const r = schedule(engine, c.objects, { ...c.opts, placement });
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

  it('after each decoded run the resident state equals the allocated state', { timeout: 120_000 }, async () => {
    let checked = 0;
    for (const workload of ['mig-1k', 'gpu-5k', 'mixed']) {
      for (let seed = 1; seed <= 4; seed++) {
        const c = randomCase(workload, seed);
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
});

