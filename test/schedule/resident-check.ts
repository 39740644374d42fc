/** Test helper: compares the placement kernel's resident state with the engine's allocated state. */
import type { Engine } from '../../src/engine.js';
import type { ResidentCluster } from '../../src/schedule/placement/resident.js';
import { buildNodeView } from '../../src/compile/nodeview.js';
import { parseQuantity } from '../../src/model/quantity.js';

/** Differences between the kernel's resident state and the engine's allocated state (flags, each node view's counters, capacity left per shared device). */
export function residentMismatches(engine: Engine, r: ResidentCluster): string[] {
  const out: string[] = [];
  const { allocated } = engine.inspect();
  const mem = engine.placementContext.memory.wasm.memory.buffer;
  const reg = r.regions;
  const flags = new Uint8Array(mem, reg.flags, allocated.flags.length);
  allocated.flags.forEach((f, slot) => {
    if (f !== flags[slot]) out.push(`slot ${slot}: host ${f}, resident ${flags[slot]}`);
  });
  // What the shares left of each capacity of each multi-allocatable device, in the device's capacity order.
  const { inventory, features } = engine.inspect();
  const capStart = new Int32Array(mem, reg.capStart, allocated.flags.length + 1);
  const capLeft = new BigInt64Array(mem, reg.capLeft, capStart[allocated.flags.length]);
  for (let slot = 0; slot < inventory.size; slot++) {
    const d = inventory.live(slot) ? inventory.devices[slot] : undefined;
    const caps = d && features.consumableCapacity && d.allowMultipleAllocations ? Object.entries(d.capacity ?? {}) : [];
    if (capStart[slot + 1] - capStart[slot] !== caps.length) out.push(`slot ${slot}: ${caps.length} capacities, resident ${capStart[slot + 1] - capStart[slot]}`);
    caps.forEach(([name, cap], k) => {
      const left = parseQuantity(cap.value).milli() - allocated.consumedAt(slot, name).milli();
      if (capLeft[capStart[slot] + k] !== left) out.push(`slot ${slot} ${name}: host ${left}, resident ${capLeft[capStart[slot] + k]}`);
    });
  }
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
