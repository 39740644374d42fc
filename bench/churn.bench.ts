/**
 * Churn: what one cluster change costs a resident engine. On seeded gpu-5k clusters (8 GPUs per
 * node, one ResourceSlice per node) at 5,000 nodes (40,000 devices) and 50,000 nodes (400,000
 * devices), after compiling everything once:
 *
 * - `slice upsert + allocate`: a new version of one node's slice (next pool generation, as a
 *   driver republishes it) is upserted, then a one-GPU claim is allocated on that node — the
 *   nodes taken in turn, so every iteration changes a slice the engine has compiled;
 * - `slice delete + upsert + allocate`: the slice goes and comes back (slots freed and reused);
 * - `rebuild + allocate` (40,000 devices only): what a change cost before the engine was
 *   incremental — compiling the whole cluster again (Engine.create + precompile) — then the
 *   same allocation.
 *
 * - `schedulePod after a slice upsert, kernel|host`: the live scheduler's step — a slice
 *   republished (Scheduler.stateChanged told), then one Pod placed with Scheduler.schedulePod,
 *   by the placement kernel (a run of one over the resident tables) or Pod by Pod on the host
 *   (`placement: 'host'`), each on its own engine; `ResidentCluster.of after a slice upsert`:
 *   the part of the kernel's figure spent bringing the resident tables up to date (patched);
 *   `schedulePod, no change between Pods, kernel|host`: the same without the slice upsert;
 * - `schedulePod after a DeviceClass upsert, kernel|host`: a change the tables are built anew
 *   for (an equal copy of the class) — what every slice change cost the kernel before patching;
 *   the kernel path leaves nodes ÷ 8 Pods to the host before it rebuilds, so with a class upserted
 *   before every Pod it rebuilds once per nodes ÷ 8 Pods (not within this bench's iterations);
 *   `ResidentCluster.of after a DeviceClass upsert (rebuilt)`: what one rebuild of the tables costs
 *   (the shape tables and problems come on top, at the next Pod).
 *
 * Also: heap bytes per device held by the compiled engine (inventory, masks, node views), with
 * the objects themselves already allocated before the measurement; needs --expose-gc.
 * Run: `npm run bench:churn` (BENCH_SCALES=5000 for the small cluster only). Results: bench/README.md.
 */

import { Bench } from 'tinybench';
import { Engine } from '../src/engine.js';
import { generateWorkload } from '../src/gen/registry.js';
import type { DraObject, Pod, ResourceClaim, ResourceSlice } from '../src/model/types.js';
import { Scheduler } from '../src/schedule/scheduler.js';
import { ResidentCluster } from '../src/schedule/placement/resident.js';

const SCALES = (process.env.BENCH_SCALES ?? '5000,50000').split(',').map(Number);

const claim: ResourceClaim = {
  apiVersion: 'resource.k8s.io/v1',
  kind: 'ResourceClaim',
  metadata: { name: 'churn', namespace: 'default' },
  spec: { devices: { requests: [{ name: 'gpu', exactly: { deviceClassName: 'gpu', count: 1 } }] } },
};

/** A generated slice's name (gen always names them). */
const nameOf = (s: ResourceSlice): string => s.metadata!.name!;

/** The slice as its driver publishes it again: the same devices at the next pool generation. */
function republished(s: ResourceSlice): ResourceSlice {
  return { ...s, spec: { ...s.spec, pool: { ...s.spec.pool, generation: s.spec.pool.generation + 1 } } };
}

async function compiled(objects: DraObject[]): Promise<Engine> {
  const engine = await Engine.create({ objects });
  engine.precompile();
  return engine;
}

const rows: Record<string, string | number>[] = [];
for (const scale of SCALES) {
  const w = generateWorkload('gpu-5k', { scale, seed: 1 });
  const objects: DraObject[] = [...w.classes, ...w.nodes, ...w.slices];
  const devices = w.slices.reduce((n, s) => n + (s.spec.devices?.length ?? 0), 0);
  globalThis.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const engine = await compiled(objects);
  globalThis.gc?.();
  const bytesPerDevice = globalThis.gc ? Math.round((process.memoryUsage().heapUsed - heapBefore) / devices) : 'n/a (run with --expose-gc)';

  const current = new Map(w.slices.map((s) => [nameOf(s), s]));
  const nodeOf = (s: ResourceSlice) => s.spec.nodeName!;
  let turn = 0;
  const next = () => nameOf(w.slices[turn++ % w.slices.length]);
  const allocateOn = (node: string) => {
    const o = engine.allocateSync([claim], { node });
    if (o.kind !== 'allocated') throw new Error(`expected an allocation on ${node}, got ${o.kind}`);
  };

  const bench = new Bench({ name: `gpu-5k ${scale} nodes`, time: 0, iterations: 200, warmupIterations: 20 });
  bench.add('slice upsert + allocate', () => {
    const s = republished(current.get(next())!);
    current.set(nameOf(s), s);
    engine.upsert([s]);
    allocateOn(nodeOf(s));
  });
  bench.add('slice delete + upsert + allocate', () => {
    const s = republished(current.get(next())!);
    current.set(nameOf(s), s);
    engine.delete([`ResourceSlice/${nameOf(s)}`]);
    engine.upsert([s]);
    allocateOn(nodeOf(s));
  });
  await bench.run();
  const tasks = [...bench.tasks];
  tasks.push(...(await perPod(w.classes, w.nodes, current, w.templates, w.pods[0], scale)));
  if (scale <= 5000) {
    const rebuild = new Bench({ name: `gpu-5k ${scale} nodes, rebuild`, time: 0, iterations: 3, warmupIterations: 1 });
    rebuild.add('rebuild + allocate (before: a change recompiled everything)', async () => {
      const fresh = await compiled([...w.classes, ...w.nodes, ...current.values()]);
      const o = fresh.allocateSync([claim], { node: w.nodes[0].metadata.name });
      if (o.kind !== 'allocated') throw new Error('expected an allocation');
    });
    await rebuild.run();
    tasks.push(...rebuild.tasks);
  }
  for (const t of tasks) {
    const { latency } = t.result as { latency: { mean: number; p50: number; p99: number; samplesCount: number } };
    rows.push({
      cluster: `${scale} nodes, ${devices} devices`,
      task: t.name,
      'mean ms': Number(latency.mean.toFixed(3)),
      'p50 ms': Number(latency.p50.toFixed(3)),
      'p99 ms': Number(latency.p99.toFixed(3)),
      samples: latency.samplesCount,
      'heap B/device': bytesPerDevice,
    });
  }
}
console.table(rows);

/**
 * The live scheduler's step on each path: a slice republished, then one Pod (a copy of `pod`,
 * named anew) placed by Scheduler.schedulePod; each path on its own engine, compiled and warmed.
 */
async function perPod(classes: DraObject[], nodes: DraObject[], current: Map<string, ResourceSlice>, templates: DraObject[], pod: Pod, scale: number) {
  const objects = [...classes, ...nodes, ...current.values()];
  const names = [...current.keys()];
  const paths = await Promise.all(
    (['wasm', 'host'] as const).map(async (placement) => {
      const engine = await compiled(objects);
      const scheduler = new Scheduler(engine, [...classes, ...nodes, ...templates], { placement });
      return { placement, engine, scheduler, slices: new Map(current), turn: 0, pods: 0 };
    }),
  );
  type Path = (typeof paths)[number];
  const upsertOne = (p: Path) => {
    const s = republished(p.slices.get(names[p.turn++ % names.length])!);
    p.slices.set(nameOf(s), s);
    p.engine.upsert([s]);
    p.scheduler.stateChanged();
  };
  const placeOne = (p: Path) => {
    const d = p.scheduler.schedulePod({ ...pod, metadata: { ...pod.metadata, name: `churn-${p.pods++}`, uid: undefined } });
    if (!d.node) throw new Error(`expected a node, got ${d.message}`);
  };
  const name = (p: Path) => (p.placement === 'wasm' ? 'kernel' : 'host');
  // Warmed up by iterations only: tinybench's default 250 ms of warmup, at a few µs per Pod,
  // placed more Pods than the cluster has GPUs (40,000 at 5,000 nodes).
  const bench = new Bench({ name: `gpu-5k ${scale} nodes, per Pod`, time: 0, iterations: scale > 5000 ? 50 : 100, warmupIterations: 50, warmupTime: 0 });
  for (const p of paths) {
    bench.add(`schedulePod after a slice upsert, ${name(p)}`, () => {
      upsertOne(p);
      placeOne(p);
    });
  }
  for (const p of paths) bench.add(`schedulePod, no change between Pods, ${name(p)}`, () => placeOne(p));
  const k = paths[0];
  bench.add('ResidentCluster.of after a slice upsert (patched)', () => {
    upsertOne(k);
    ResidentCluster.of(k.engine, k.scheduler.nodes);
  });
  const rebuild = new Bench({ name: `gpu-5k ${scale} nodes, per Pod, rebuilt`, time: 0, iterations: scale > 5000 ? 8 : 20, warmupIterations: 2, warmupTime: 0 });
  const gpuClass = classes.find((c) => c.kind === 'DeviceClass')!;
  for (const p of paths) {
    rebuild.add(`schedulePod after a DeviceClass upsert (rebuild amortised), ${name(p)}`, () => {
      p.engine.upsert([{ ...gpuClass }]);
      p.scheduler.stateChanged();
      placeOne(p);
    });
  }
  rebuild.add('ResidentCluster.of after a DeviceClass upsert (rebuilt)', () => {
    k.engine.upsert([{ ...gpuClass }]);
    ResidentCluster.of(k.engine, k.scheduler.nodes);
  });
  await bench.run();
  await rebuild.run();
  if (k.scheduler.runs!.stats.placed === 0) throw new Error('the kernel placed no Pod');
  return [...bench.tasks, ...rebuild.tasks];
}
