/**
 * The pools the reference allocator searches, in upstream's order (v1.36 `GatherPools` and
 * `buildPool`). Slice relevance, generations and completeness come from the engine's
 * `gatherPools` (src/model/pools.ts, a pure function that the brief allows to reuse); validity
 * and the order are recomputed here from upstream's `buildPool`, because they decide which
 * devices exist at all and the reference should not inherit a mistake there:
 * - device names must be unique among the pool's *device* slices;
 * - with DRAPartitionableDevices, counter-set names unique and every `consumesCounters`
 *   reference resolvable (without it, counters are not validated at all);
 * - complete, valid pools with a device that has `bindingConditions` go last; incomplete and
 *   invalid pools carry no devices, so they never count as having binding conditions.
 */

import type { Node, ResourceSlice } from '../../src/model/types.js';
import type { Features } from '../../src/features.js';
import { gatherPools } from '../../src/model/pools.js';

export interface RefPool {
  /** `driver/pool`. */
  id: string;
  driver: string;
  name: string;
  incomplete: boolean;
  invalid: boolean;
  /** Node-relevant slices with devices, sorted by name (upstream `DeviceSlicesTargetingNode`). */
  deviceSlices: ResourceSlice[];
  /** Node-relevant slices that define counter sets. */
  counterSlices: ResourceSlice[];
  /** Every slice of the pool's generation, for any node (counters consumed elsewhere). */
  allSlices: readonly ResourceSlice[];
  hasBindingConditions: boolean;
}

export function poolsForNode(slices: readonly ResourceSlice[], node: Node, features: Features): RefPool[] {
  const pools = gatherPools(slices, node, features).map((p): RefPool => {
    const isCounterSlice = (s: ResourceSlice) => features.partitionableDevices && (s.spec.sharedCounters?.length ?? 0) > 0;
    const deviceSlices = p.slices.filter((s) => !isCounterSlice(s));
    const counterSlices = p.slices.filter(isCounterSlice);
    const invalid = !p.incomplete && isInvalid(deviceSlices, counterSlices, p.allSlices, features);
    const usable = !p.incomplete && !invalid;
    return {
      id: p.id,
      driver: p.driver,
      name: p.name,
      incomplete: p.incomplete,
      invalid,
      deviceSlices: usable ? deviceSlices : [],
      counterSlices: usable ? counterSlices : [],
      allSlices: p.allSlices,
      hasBindingConditions: usable && deviceSlices.some((s) => (s.spec.devices ?? []).some((d) => d.bindingConditions !== undefined)),
    };
  });
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return pools.sort((a, b) => Number(a.hasBindingConditions) - Number(b.hasBindingConditions) || cmp(a.driver, b.driver) || cmp(a.name, b.name));
}

function isInvalid(deviceSlices: ResourceSlice[], counterSlices: ResourceSlice[], allSlices: readonly ResourceSlice[], features: Features): boolean {
  const names = new Set<string>();
  for (const d of deviceSlices.flatMap((s) => s.spec.devices ?? [])) {
    if (names.has(d.name)) return true;
    names.add(d.name);
  }
  if (!features.partitionableDevices) return false;
  const sets = new Map<string, Set<string>>();
  for (const cs of counterSlices.flatMap((s) => s.spec.sharedCounters ?? [])) {
    if (sets.has(cs.name)) return true;
    sets.set(cs.name, new Set(Object.keys(cs.counters ?? {})));
  }
  return allSlices
    .flatMap((s) => s.spec.devices ?? [])
    .some((d) => (d.consumesCounters ?? []).some((c) => !sets.has(c.counterSet) || Object.keys(c.counters ?? {}).some((n) => !sets.get(c.counterSet)!.has(n))));
}
