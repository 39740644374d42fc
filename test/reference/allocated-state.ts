/**
 * The allocated state the reference allocator starts from, built from claims that carry
 * `status.allocation` the way kube-scheduler does (`allocateddevices.go: foreachAllocatedDevice`):
 * results with `adminAccess: true` do not count; with DRAConsumableCapacity a result with a
 * `shareID` is a share (and its `consumedCapacity`, when present, is aggregated per device),
 * every other result allocates its device exclusively.
 */

import type { ResourceClaim } from '../../src/model/types.js';
import { Quantity } from '../../src/model/quantity.js';
import { addConsumed, type Consumed } from './capacity.js';

/** `driver/pool/device`, upstream's DeviceID string form. */
export const deviceKey = (driver: string, pool: string, device: string) => `${driver}/${pool}/${device}`;

/** Upstream `AllocatedState`, with shares reduced to the devices they are on. */
export class ReferenceAllocatedState {
  /** `AllocatedDevices`. */
  readonly dedicated = new Set<string>();
  /** Devices of `AllocatedSharedDeviceIDs`. */
  readonly shared = new Set<string>();
  /** `AggregatedCapacity`: only devices whose shares reported consumedCapacity. */
  readonly aggregated = new Map<string, Consumed>();

  constructor(claims: Iterable<ResourceClaim>, consumableCapacity: boolean) {
    for (const claim of claims) {
      for (const r of claim.status?.allocation?.devices?.results ?? []) {
        if (r.adminAccess === true) continue;
        const id = deviceKey(r.driver, r.pool, r.device);
        if (consumableCapacity && r.shareID !== undefined) {
          this.shared.add(id);
          if (r.consumedCapacity !== undefined) {
            const sum = this.aggregated.get(id) ?? new Map<string, Quantity>();
            addConsumed(sum, new Map(Object.entries(r.consumedCapacity).map(([k, v]) => [k, Quantity.parse(v)])));
            this.aggregated.set(id, sum);
          }
        } else {
          this.dedicated.add(id);
        }
      }
    }
  }

  /** Upstream `IsDeviceAllocated`: dedicated, shared or with aggregated capacity (counters count as consumed). */
  isAllocated(id: string): boolean {
    return this.dedicated.has(id) || this.shared.has(id) || this.aggregated.has(id);
  }
}
