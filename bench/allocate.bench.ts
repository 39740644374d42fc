/**
 * Allocate benchmarks on generated GPU workloads (src/gen), compared with upstream's allocator
 * measured on a machine of this kind (bench/README.md, What is measured):
 * one Allocate including NewAllocator takes 25.6 µs on a node with 8 devices and 76 µs with
 * 128; Pod by Pod on 5,000 nodes about 18 µs per Allocate.
 *
 * (a) one claim asking 1 GPU (class `gpu`, a CEL selector on the driver) on one node with 8 and
 *     with 128 GPUs; nothing is committed, so every call sees the same free node.
 * (b) the same claims through one Engine holding a 500-node gpu-5k cluster: claim i on node
 *     i mod 500, (b1) without commit and (b2) committing each allocation so the cluster fills;
 *     at 7/8 full every commit is released again outside the timed calls.
 *
 * Printed: mean and median µs per call, allocations/s, and upstream µs ÷ ours (mean and median;
 * the machine is often shared, so the median is the better estimate of an uncontended call).
 * Run: `npm run bench` (builds first: the solver is build/wasm/solver.wasm).
 * Results and the machine they were measured on: bench/README.md.
 */

import { execFileSync } from 'node:child_process';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { Bench, type Task } from 'tinybench';
import { Engine } from '../src/engine.js';
import type { ResourceClaim } from '../src/model/types.js';
import { podClaims } from '../src/gen/claims.js';
import { gpuClasses, gpuNodes } from '../src/gen/gpu.js';
import { Random } from '../src/gen/random.js';
import { generateWorkload } from '../src/gen/registry.js';
import type { Workload } from '../src/gen/builders.js';

/** Upstream's µs per Allocate (performance-anchors.md §3.0). */
const ANCHOR_8 = 25.6;
const ANCHOR_128 = 76;
const NODES = 500;

/** The first claim of every Pod of `w`, in Pod order. */
const claimsOf = (w: Workload): ResourceClaim[] => w.pods.map((p) => podClaims(w, p)[0]);

/** A one-node engine with `gpus` GPUs, and a 1-GPU claim from gpu-5k's template. */
async function oneNode(gpus: number): Promise<{ engine: Engine; node: string; claim: ResourceClaim }> {
  const { nodes, slices } = gpuNodes(new Random(1), 'bench', 1, gpus);
  const engine = await Engine.create({ objects: [...gpuClasses(), ...nodes, ...slices] });
  const [claim] = claimsOf(generateWorkload('gpu-5k', { scale: 1 }));
  return { engine, node: nodes[0].metadata.name, claim };
}

/** Throws unless the outcome is an allocation: a benchmark of failures would measure nothing. */
function mustAllocate(outcome: Awaited<ReturnType<Engine['allocate']>>, what: string) {
  if (outcome.kind !== 'allocated') throw new Error(`${what}: ${outcome.kind}`);
  return outcome.results;
}

const single8 = await oneNode(8);
const single128 = await oneNode(128);

const cluster = generateWorkload('gpu-5k', { scale: NODES, seed: 1 });
const clusterClaims = claimsOf(cluster);
const nodeNames = cluster.nodes.map((n) => n.metadata.name);
const engineB = await Engine.create({ objects: [...cluster.classes, ...cluster.nodes, ...cluster.slices] });
const engineFill = await Engine.create({ objects: [...cluster.classes, ...cluster.nodes, ...cluster.slices] });

let i = 0;
let j = 0;
const committed: ResourceClaim[] = [];
/** Keep the fill bench below 7 of 8 GPUs per node so every allocation succeeds on its node. */
const FILL_LIMIT = NODES * 7;

const bench = new Bench({ name: 'allocate', time: 2000, warmupTime: 500 });
bench
  .add('(a) 1 GPU on 1 node × 8 GPUs', async () => {
    mustAllocate(await single8.engine.allocate([single8.claim], { node: single8.node }), 'a8');
  })
  .add('(a) 1 GPU on 1 node × 128 GPUs', async () => {
    mustAllocate(await single128.engine.allocate([single128.claim], { node: single128.node }), 'a128');
  })
  .add(`(b1) Engine, ${NODES} nodes, claim i on node i (no commit)`, async () => {
    const k = i++ % clusterClaims.length;
    mustAllocate(await engineB.allocate([clusterClaims[k]], { node: nodeNames[k % NODES] }), 'b1');
  })
  .add(
    `(b2) Engine, ${NODES} nodes, claim i on node i, commit (fill to 7/8)`,
    async () => {
      const k = j++;
      const claim = clusterClaims[k % clusterClaims.length];
      const [result] = mustAllocate(await engineFill.allocate([claim], { node: nodeNames[k % NODES] }), 'b2');
      committed.push(engineFill.commit(claim, result));
    },
    {
      afterEach() {
        if (committed.length < FILL_LIMIT) return;
        for (const c of committed.splice(0)) engineFill.release(c);
      },
    },
  );

await bench.run();

/** Upstream's µs per Allocate for a task, if there is a comparable anchor. */
function anchorOf(task: Task): number | undefined {
  if (task.name.includes('× 8 GPUs') || task.name.startsWith('(b')) return ANCHOR_8;
  if (task.name.includes('× 128 GPUs')) return ANCHOR_128;
  return undefined;
}

const rev = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
const load = loadavg().map((l) => l.toFixed(1)).join(' ');
console.log(`dralloc ${rev} · node ${process.version} · nproc ${availableParallelism()} · ${cpus()[0]?.model ?? 'unknown CPU'} · load average ${load}`);
console.table(
  bench.tasks.map((task) => {
    const r = task.result;
    if (r.state !== 'completed') return { task: task.name, state: r.state, error: r.state === 'errored' ? r.error.message : '' };
    const us = r.latency.mean * 1000;
    const p50 = r.latency.p50 * 1000;
    const anchor = anchorOf(task);
    return {
      task: task.name,
      'mean µs': us.toFixed(2),
      'p50 µs': p50.toFixed(2),
      'rme %': r.latency.rme.toFixed(1),
      'allocations/s': Math.round(1e6 / us),
      'upstream µs': anchor ?? '',
      '× upstream (mean)': anchor ? (anchor / us).toFixed(1) : '',
      '× upstream (p50)': anchor ? (anchor / p50).toFixed(1) : '',
      samples: r.latency.samplesCount,
    };
  }),
);
