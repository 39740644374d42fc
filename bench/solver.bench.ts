/**
 * What the WASM core is worth, measured rather than assumed — three ways to answer the same
 * Allocate, timed in one run:
 *
 * (1) search only, on an already compiled problem (one node, one claim asking 1 GPU):
 *     the WASM solver (`SolverMemory.solve` on a kept block: flags refreshed, search, answer
 *     read back) against a plain-TS loop doing the same first-fit scan over the same arrays
 *     (for a single ExactCount request without constraints, counters or shares the search is
 *     exactly that scan; the loop is here only to be measured). Both must pick the same devices.
 * (2) a whole Allocate: dralloc's Engine (host + WASM) against the slow, readable reference
 *     allocator of the tests (test/reference/allocator.ts, straight from the spec), on a node
 *     with 8 GPUs (1-GPU claim) and on an nvlink node asking 4 GPUs on one PCIe root
 *     (matchAttribute), so that the search has something to do.
 *
 * Run: `npm run bench:solver`. Results: bench/README.md.
 */

import { Bench } from 'tinybench';
import { Engine } from '../src/engine.js';
import { generateWorkload } from '../src/gen/registry.js';
import { podClaims } from '../src/gen/claims.js';
import type { Workload } from '../src/gen/builders.js';
import type { DraObject, ResourceClaim } from '../src/model/types.js';
import { buildNodeView } from '../src/compile/nodeview.js';
import { compileProblem, refreshDynamic, type Problem } from '../src/compile/problem.js';
import { DEV, ST } from '../src/wasm/layout.js';
import { loadSolver } from '../src/wasm/instance.js';
import { SolverMemory } from '../src/wasm/run.js';
import { referenceAllocate } from '../test/reference/allocator.js';
import { featuresFromGates, parseFeatureGates } from '../src/features.js';

const cluster = (w: Workload): DraObject[] => [...w.classes, ...w.nodes, ...w.slices];

/** The plain-TS twin of the search for one ExactCount request: the first `count` usable devices. */
function firstFit(p: Problem): number[] {
  const D = p.view.slots.length;
  const need = p.plan.slots[0].numDevices;
  const usable = ST.SELECTABLE | ST.STATIC_OK;
  const picks: number[] = [];
  for (let d = 0; d < D && picks.length < need; d++) {
    if (p.devFlags[d] & DEV.ALLOCATED) continue;
    const st = p.status[d];
    if (st & ST.ERROR) throw new Error('selector error');
    if ((st & usable) === usable) picks.push(d);
  }
  return picks.length === need ? picks : [];
}

// ---- (1) search only --------------------------------------------------------------------------
const gpu = generateWorkload('gpu-5k', { scale: 1, seed: 1 });
const gpuEngine = await Engine.create({ objects: cluster(gpu) });
const [gpuClaim] = podClaims(gpu, gpu.pods[0]);
const gpuNode = gpu.nodes[0];
const state = gpuEngine.inspect();
const ctx = { features: state.features, classes: state.classes, masks: state.masks, allocated: state.allocated };
const np = gpuEngine.nodePools(gpuNode);
const problem = compileProblem(buildNodeView(np, state.allocated), [gpuClaim], ctx);
const memory = new SolverMemory(await loadSolver());
const block = memory.write(problem, true);
/** The whole search in one slice (no budget: these searches are short). */
function solve() {
  memory.start(block);
  const ran = memory.run(block, 0xffffffff);
  return memory.answer(block, problem, ran.status, ran.steps);
}
const wasmPicks = solve().picks.map(([, d]) => d);
if (JSON.stringify(wasmPicks) !== JSON.stringify(firstFit(problem))) throw new Error(`WASM ${wasmPicks} and TS ${firstFit(problem)} disagree`);

const search = new Bench({ name: 'search only', time: 1500, warmupTime: 300 });
search
  .add('WASM solve (refresh + search + read back)', () => {
    refreshDynamic(problem, problem.view, state.allocated, state.features);
    memory.refresh(block, problem);
    solve();
  })
  .add('plain-TS first-fit loop', () => {
    refreshDynamic(problem, problem.view, state.allocated, state.features);
    firstFit(problem);
  });
await search.run();

// ---- (2) whole Allocate: engine vs reference ------------------------------------------------
const nv = generateWorkload('nvlink-4gpu', { scale: 1, seed: 1 });
const nvEngine = await Engine.create({ objects: cluster(nv) });
const [nvClaim] = podClaims(nv, nv.pods[0]);
const features = featuresFromGates(parseFeatureGates(undefined));

function pair(name: string, engine: Engine, objects: DraObject[], claim: ResourceClaim, node: string, bench: Bench) {
  const ref = referenceAllocate({ objects, claims: [claim], node, features });
  const ours = engine.allocateSync([claim], { node });
  if (ref.kind !== 'allocated' || ours.kind !== 'allocated') throw new Error(`${name}: ${ref.kind} / ${ours.kind}`);
  bench
    .add(`${name}: dralloc Engine`, () => void engine.allocateSync([claim], { node }))
    .add(`${name}: reference allocator`, () => void referenceAllocate({ objects, claims: [claim], node, features }));
}
const whole = new Bench({ name: 'whole Allocate', time: 1500, warmupTime: 300 });
pair('1 GPU of 8', gpuEngine, cluster(gpu), gpuClaim, gpuNode.metadata.name, whole);
pair('4 GPUs on one PCIe root (matchAttribute)', nvEngine, cluster(nv), nvClaim, nv.nodes[0].metadata.name, whole);
await whole.run();

for (const b of [search, whole]) {
  console.log(`\n${b.name}`);
  console.table(b.table());
  const means = b.tasks.map((t) => (t.result as { latency: { mean: number } }).latency.mean);
  for (let i = 0; i + 1 < means.length; i += 2) {
    console.log(`${b.tasks[i + 1].name} ÷ ${b.tasks[i].name}: ${(means[i + 1] / means[i]).toFixed(2)}×`);
  }
}
