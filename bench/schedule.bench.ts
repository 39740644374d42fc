/**
 * Batch scheduling benchmarks (dralloc schedule's engine path) on seeded generated workloads.
 *
 * 1. Scaling: gpu-5k (8 GPUs per node, 2 one-GPU Pods per node, CEL DeviceClass) at 500,
 *    5,000 and 50,000 nodes. Per size: compile (Engine.create + precompile: inventory, node
 *    pools, selector masks), solve (schedule every Pod), Pods/s, µs per Pod, and heap bytes per
 *    device after compile. The aim: cost per Pod flat as the cluster grows 10× and 100×.
 *    Beside it the output floor (output-floor.ts): what building and keeping the objects the
 *    solve returns and holds costs alone, for the same placements, in the same heap — no
 *    search, no node walk; solve − floor is what scheduling adds.
 * 2. Strategies: upstream vs pack on mig-1k (partitionable GPUs) and rdma-bw (shared NICs with
 *    consumable bandwidth): Pods placed, and what is left fragmented — GPUs (counter sets) or
 *    NICs that are partly used, i.e. neither free for a whole-device request nor full.
 *
 * 3. Workloads: solve (all Pods, upstream strategy) and compile of every single-kind generated
 *    workload at its default scale, CPU time (`process.cpuUsage`, less sensitive to a shared
 *    machine than wall time), fastest of BENCH_ROUNDS (default 2) runs.
 *    BENCH_SCHEDULE_BASELINE=<another build's js folder> (e.g. the previous commit built into
 *    /tmp/old: /tmp/old/build/js) runs the same with that build's Engine and scheduler,
 *    alternating with this one, and checks both place every Pod alike: a before/after ratio
 *    that the machine's load affects alike.
 *
 * 4. Placement kernels: solve of gpu-5k, mig-1k, fallback, rdma-bw and nvlink-4gpu at their
 *    default scale, both strategies, with `placement: host` (Pod by Pod), `ts` (the placement loop in TypeScript)
 *    and `wasm` (the loop in the WASM core), rounds alternating, CPU time, fastest of
 *    BENCH_ROUNDS; besides Pods/s the time inside the kernel's loop alone (ScheduleResult.placement.ms)
 *    per Pod it placed, and the ratios. All three must place every Pod alike.
 *
 * Upstream anchor (performance-anchors.md §3.0, same machine kind): the Go allocator, Pod by
 * Pod as kube-scheduler filters, schedules gpu-5k's 10,000 Pods at 105 Pods/s (500 nodes,
 * 4,000 Pods: 269 Pods/s). Run: `npm run bench:schedule` (BENCH_SCALES=500,5000 for fewer sizes;
 * BENCH_SECTIONS=3 for the workloads only, BENCH_SECTIONS=4 for the placement kernels;
 * BENCH_WORKLOADS=rdma-bw for some workloads of sections 3 and 4). Results: bench/README.md.
 */

import { Bench } from 'tinybench';
import { Engine } from '../src/engine.js';
import { schedule, type Strategy } from '../src/schedule/scheduler.js';
import { PLACEMENT_KERNELS, type PlacementKernel } from '../src/schedule/placement/runs.js';
import { generateWorkload } from '../src/gen/registry.js';
import type { Workload } from '../src/gen/builders.js';
import type { DraObject, ResourceClaim } from '../src/model/types.js';
import { parseQuantity } from '../src/model/quantity.js';
import { deviceId } from '../src/model/allocated.js';
import { buildOutput, outputPlan } from './output-floor.js';

const UPSTREAM_GPU5K_PODS_PER_S = 105;
const objectsOf = (w: Workload): DraObject[] => [...w.classes, ...w.nodes, ...w.slices, ...w.templates, ...w.pods];
const devicesOf = (w: Workload) => w.slices.reduce((n, s) => n + (s.spec.devices?.length ?? 0), 0);

async function compile(objects: DraObject[]): Promise<Engine> {
  const engine = await Engine.create({ objects });
  engine.precompile();
  return engine;
}

/** Sections to run (BENCH_SECTIONS=1,3): all by default. */
const SECTIONS = new Set((process.env.BENCH_SECTIONS ?? '1,2,3,4').split(',').map(Number));
/** Sections 3 and 4: these workloads only (BENCH_WORKLOADS=rdma-bw,mig-1k), else all of the section's. */
const only = process.env.BENCH_WORKLOADS?.split(',');
const pick = (names: string[]) => (only ? names.filter((n) => only.includes(n)) : names);

// ---- 1. scaling ---------------------------------------------------------------------------------
const rows: Record<string, string | number>[] = [];
/** Cluster sizes (nodes); BENCH_SCALES=500,5000 runs fewer. */
const SCALES = SECTIONS.has(1) ? (process.env.BENCH_SCALES ?? '500,5000,50000').split(',').map(Number) : [];
for (const nodes of SCALES) {
  const w = generateWorkload('gpu-5k', { scale: nodes, seed: 1 });
  const objects = objectsOf(w);
  const devices = devicesOf(w);
  globalThis.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  let engine = await compile(objects);
  globalThis.gc?.();
  const bytesPerDevice = (process.memoryUsage().heapUsed - heapBefore) / devices;
  let placed = 0;
  const plan = outputPlan(w, schedule(engine, objects));
  const bench = new Bench({ name: `gpu-5k ${nodes}`, iterations: nodes >= 50000 ? 2 : 5, time: 0, warmupIterations: 1 });
  bench.add(
    'compile',
    async () => {
      engine = await compile(objects);
    },
  );
  bench.add(
    'solve',
    () => {
      placed = schedule(engine, objects).pods.filter((p) => p.node !== undefined).length;
    },
    { beforeEach: async () => void (engine = await compile(objects)) },
  );
  bench.add(
    'output floor',
    () => {
      buildOutput(plan);
    },
    // The same heap as the solve's: a fresh engine per round, the one before left to the GC.
    { beforeEach: async () => void (engine = await compile(objects)) },
  );
  await bench.run();
  const latencies = bench.tasks.map((t) => (t.result as { latency: { mean: number; min: number } }).latency);
  const [c, s, f] = latencies.map((l) => l.mean);
  // The fastest solve: a round without a major GC of earlier rounds' engines in it (at 50,000
  // nodes every second round has one, which the mean carries).
  const fastest = latencies[1].min;
  const pods = w.pods.length;
  rows.push({
    nodes,
    devices,
    pods,
    placed,
    'compile ms': c.toFixed(0),
    'solve ms': s.toFixed(0),
    'Pods/s': Math.round((pods / s) * 1000),
    'µs/Pod': ((s * 1000) / pods).toFixed(1),
    'fastest µs/Pod': ((fastest * 1000) / pods).toFixed(1),
    'floor µs/Pod': ((f * 1000) / pods).toFixed(1),
    'solve − floor µs/Pod': (((s - f) * 1000) / pods).toFixed(1),
    'heap B/device': Math.round(bytesPerDevice),
    '× upstream': ((pods / s) * 1000 / UPSTREAM_GPU5K_PODS_PER_S).toFixed(0),
  });
}
if (rows.length) {
  console.log('\n1. gpu-5k scaling (means, and the fastest solve; floor = building the output alone; × upstream = Pods/s ÷ 105)');
  console.table(rows);
}

// ---- 2. strategies -----------------------------------------------------------------------------
/** Counter sets (mig: GPUs) and shareable capacities (rdma: NICs) that are partly used. */
function fragmentation(w: Workload, claims: readonly ResourceClaim[]) {
  const used = new Set<string>();
  const consumed = new Map<string, bigint>(); // device id → bandwidth consumed (milli)
  for (const c of claims) {
    for (const r of c.status?.allocation?.devices?.results ?? []) {
      const id = deviceId(r.driver, r.pool, r.device);
      used.add(id);
      for (const v of Object.values(r.consumedCapacity ?? {})) consumed.set(id, (consumed.get(id) ?? 0n) + parseQuantity(v).milli());
    }
  }
  let partialSets = 0;
  let fullSets = 0;
  let partialDevices = 0;
  for (const s of w.slices) {
    const setUse = new Map<string, bigint>();
    for (const d of s.spec.devices ?? []) {
      const id = deviceId(s.spec.driver, s.spec.pool.name, d.name);
      if (used.has(id)) {
        for (const c of d.consumesCounters ?? []) {
          const mem = c.counters.memory;
          if (mem) setUse.set(c.counterSet, (setUse.get(c.counterSet) ?? 0n) + parseQuantity(mem.value).milli());
        }
      }
      const cap = d.capacity?.bandwidth;
      const taken = consumed.get(id) ?? 0n;
      if (d.allowMultipleAllocations && cap && taken > 0n && taken < parseQuantity(cap.value).milli()) partialDevices++;
    }
    for (const [, u] of setUse) {
      if (u >= parseQuantity('80Gi').milli()) fullSets++;
      else partialSets++;
    }
  }
  return { partialSets, fullSets, partialDevices };
}

const strategyRows: Record<string, string | number>[] = [];
for (const name of SECTIONS.has(2) ? ['mig-1k', 'rdma-bw'] : []) {
  const w = generateWorkload(name, { scale: 200, seed: 1 });
  for (const strategy of ['upstream', 'pack'] as Strategy[]) {
    const objects = objectsOf(w);
    let result: ReturnType<typeof schedule> | undefined;
    let engine = await compile(objects);
    const bench = new Bench({ name: `${name} ${strategy}`, iterations: 3, time: 0, warmupIterations: 0 });
    bench.add('solve', () => void (result = schedule(engine, objects, { strategy })), {
      beforeEach: async () => void (engine = await compile(objects)),
    });
    await bench.run();
    const mean = (bench.tasks[0].result as { latency: { mean: number } }).latency.mean;
    const placed = result!.pods.filter((p) => p.node !== undefined).length;
    const f = fragmentation(w, result!.claims);
    strategyRows.push({
      workload: name,
      strategy,
      pods: w.pods.length,
      placed,
      'partly used GPUs (counter sets)': f.partialSets,
      'full GPUs': f.fullSets,
      'partly used NICs': f.partialDevices,
      'Pods/s': Math.round((w.pods.length / mean) * 1000),
    });
  }
}
if (strategyRows.length) {
  console.log('\n2. upstream vs pack (200 nodes each)');
  console.table(strategyRows);
}

// ---- 3. workloads, optionally against a baseline build ----------------------------------------
interface Build {
  Engine: { create(opts: { objects: DraObject[] }): Promise<{ precompile(): void }> };
  schedule(engine: unknown, objects: readonly DraObject[]): ReturnType<typeof schedule>;
}
const builds: [string, Build][] = [['this', { Engine, schedule } as unknown as Build]];
const baselineDir = process.env.BENCH_SCHEDULE_BASELINE;
if (baselineDir) {
  const engineModule = (await import(`${baselineDir}/engine.js`)) as { Engine: Build['Engine'] };
  const schedulerModule = (await import(`${baselineDir}/schedule/scheduler.js`)) as { schedule: Build['schedule'] };
  builds.unshift(['baseline', { Engine: engineModule.Engine, schedule: schedulerModule.schedule }]);
}
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const workloadRows: Record<string, string | number>[] = [];
for (const name of SECTIONS.has(3) ? pick(['gpu-5k', 'mig-1k', 'rdma-bw', 'fallback', 'nvlink-4gpu']) : []) {
  const w = generateWorkload(name, { seed: 1 });
  const objects = objectsOf(w);
  const best = new Map<string, { compile: number; solve: number; placements: string }>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const [build, b] of builds) {
      let t = cpuMs();
      const engine = await b.Engine.create({ objects });
      engine.precompile();
      const compile = cpuMs() - t;
      t = cpuMs();
      const result = b.schedule(engine, objects);
      const solve = cpuMs() - t;
      const placements = result.pods.map((p) => p.node ?? '-').join();
      const prev = best.get(build);
      best.set(build, { compile: Math.min(compile, prev?.compile ?? Infinity), solve: Math.min(solve, prev?.solve ?? Infinity), placements });
    }
  }
  const mine = best.get('this')!;
  const base = best.get('baseline');
  if (base && base.placements !== mine.placements) throw new Error(`${name}: the baseline build places the Pods differently`);
  workloadRows.push({
    workload: name,
    nodes: w.nodes.length,
    devices: devicesOf(w),
    pods: w.pods.length,
    'compile ms': mine.compile.toFixed(0),
    'solve ms': mine.solve.toFixed(0),
    'Pods/s': Math.round((w.pods.length / mine.solve) * 1000),
    ...(base
      ? {
          'baseline compile ms': base.compile.toFixed(0),
          'baseline solve ms': base.solve.toFixed(0),
          'compile ×': (base.compile / mine.compile).toFixed(2),
          'solve ×': (base.solve / mine.solve).toFixed(2),
        }
      : {}),
  });
}
if (workloadRows.length) {
  console.log(`\n3. workloads at their default scale, upstream strategy (CPU ms, fastest of ${ROUNDS}${baselineDir ? '; × = baseline ÷ this' : ''})`);
  console.table(workloadRows);
}

// ---- 4. placement kernels: host vs ts loop vs wasm loop ----------------------------------------
const kernelRows: Record<string, string | number>[] = [];
for (const name of SECTIONS.has(4) ? pick(['gpu-5k', 'mig-1k', 'fallback', 'rdma-bw', 'nvlink-4gpu']) : []) {
  const w = generateWorkload(name, { seed: 1 });
  const objects = objectsOf(w);
  for (const strategy of ['upstream', 'pack'] as Strategy[]) {
    const best = new Map<PlacementKernel, { solve: number; loop: number; placed: number; placements: string }>();
    for (let round = 0; round < ROUNDS; round++) {
      for (const placement of PLACEMENT_KERNELS) {
        const engine = await compile(objects);
        const t = cpuMs();
        const result = schedule(engine, objects, { placement, strategy });
        const solve = cpuMs() - t;
        const prev = best.get(placement);
        best.set(placement, {
          solve: Math.min(solve, prev?.solve ?? Infinity),
          loop: Math.min(result.placement?.ms ?? 0, prev?.loop ?? Infinity),
          placed: result.placement?.placed ?? 0,
          placements: result.pods.map((p) => p.node ?? '-').join(),
        });
      }
    }
    const host = best.get('host')!;
    const ts = best.get('ts')!;
    const wasm = best.get('wasm')!;
    if (ts.placements !== host.placements || wasm.placements !== host.placements) throw new Error(`${name} ${strategy}: the kernels place the Pods differently`);
    const pods = w.pods.length;
    const perPod = (ms: number, n: number) => (n > 0 ? ((ms * 1000) / n).toFixed(2) : '-');
    kernelRows.push({
      workload: name,
      strategy,
      pods,
      'by kernel': wasm.placed,
      'host Pods/s': Math.round((pods / host.solve) * 1000),
      'ts Pods/s': Math.round((pods / ts.solve) * 1000),
      'wasm Pods/s': Math.round((pods / wasm.solve) * 1000),
      'wasm ÷ host': (host.solve / wasm.solve).toFixed(2),
      'ts loop µs/Pod': perPod(ts.loop, ts.placed),
      'wasm loop µs/Pod': perPod(wasm.loop, wasm.placed),
      'loop ts ÷ wasm': wasm.loop > 0 ? (ts.loop / wasm.loop).toFixed(2) : '-',
    });
  }
}
if (kernelRows.length) {
  console.log(`\n4. placement kernels (CPU ms of solve, fastest of ${ROUNDS}; loop = inside the kernel, decoding not included)`);
  console.table(kernelRows);
}
