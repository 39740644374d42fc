/** Test helper: compares the placement kernel's resident state with the engine's allocated state. */
import type { Engine } from '../../src/engine.js';
import type { ResidentCluster } from '../../src/schedule/placement/resident.js';
import { buildNodeView } from '../../src/compile/nodeview.js';

/** Differences between the kernel's resident state and the engine's allocated state (flags, each node view's counters). */
export function residentMismatches(engine: Engine, r: ResidentCluster): string[] {
  const out: string[] = [];
  const { allocated } = engine.inspect();
  const mem = engine.placementContext.memory.wasm.memory.buffer;
  const reg = r.regions;
  const flags = new Uint8Array(mem, reg.flags, allocated.flags.length);
  allocated.flags.forEach((f, slot) => {
    if ((f & 3) !== (flags[slot] & 3)) out.push(`slot ${slot}: host ${f}, resident ${flags[slot]}`);
  });
  const nodeCnt = new Int32Array(mem, reg.nodeCnt, r.nodes.length + 1);
  const cntMap = new Int32Array(mem, reg.cntMap, nodeCnt[r.nodes.length]);
  r.pools.forEach((np, i) => {
    if (!np) return;
    const avail = buildNodeView(np, allocated).counters.avail;
    avail.forEach((v, c) => {
      const resident = new BigInt64Array(mem, reg.avail + 8 * cntMap[nodeCnt[i] + c], 1)[0];
      if (resident !== v) out.push(`node ${np.node.metadata.name} counter ${c}: host ${v}, resident ${resident}`);
    });
  });
  return out;
}
