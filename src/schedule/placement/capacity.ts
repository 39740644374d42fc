/**
 * The placement kernel's resident consumable capacity (DRAConsumableCapacity): per inventory
 * slot of a multi-allocatable device, one entry per capacity of the device, in the order of its
 * `capacity` map — the order compile/problem.ts gives a problem's entries of that device, so the
 * kernel refreshes a block's H_CAP_AVAIL by copying the node's entries device after device, and
 * the k-th capacity demand of a (slot, device) pair is the device's k-th entry. Each entry holds
 * what the device's shares left of the capacity (milli): its value minus the allocated state's
 * `consumedAt`. The kernel's commits subtract a share's demand (assembly/placement.ts commit);
 * the host seeds the entries and follows its own commits (resident.ts).
 */

import type { Features } from '../../features.js';
import type { Inventory } from '../../compile/inventory.js';
import type { AllocatedState } from '../../model/allocated.js';
import { sharesDevice } from '../../compile/eligibility.js';
import { parseQuantity } from '../../model/quantity.js';

export class ResidentCapacity {
  /** i32 × (slots+1): where each slot's entries start (layout.ts R_CAP_START). */
  readonly start: Int32Array;
  /** The slots that have entries, ascending. */
  private readonly slots: Int32Array;
  /** Per entry: the capacity's value (milli) and name. */
  private readonly value: BigInt64Array;
  private readonly names: string[] = [];

  constructor(inventory: Inventory, slotCount: number, features: Features) {
    this.start = new Int32Array(slotCount + 1);
    const value: bigint[] = [];
    const slots: number[] = [];
    const end = inventory.multiAllocatable > 0 ? Math.min(slotCount, inventory.size) : 0;
    for (let slot = 0; slot < end; slot++) {
      const device = inventory.devices[slot];
      if (device && sharesDevice(device, features) && device.capacity) {
        slots.push(slot);
        for (const [name, cap] of Object.entries(device.capacity)) {
          this.names.push(name);
          value.push(parseQuantity(cap.value).milli());
        }
      }
      this.start[slot + 1] = this.names.length;
    }
    // Slots past the inventory's have no entries: they start where the last one ends.
    this.start.fill(this.names.length, end + 1);
    this.slots = Int32Array.from(slots);
    this.value = BigInt64Array.from(value);
  }

  /** Entries in all. */
  get count(): number {
    return this.names.length;
  }

  /** Writes what the allocated state's shares left of every entry to `left`. */
  seed(left: BigInt64Array, allocated: AllocatedState): void {
    for (const slot of this.slots) this.sync(left, allocated, slot);
  }

  /** Writes what the allocated state's shares left of the slot's entries to `left`. */
  sync(left: BigInt64Array, allocated: AllocatedState, slot: number): void {
    for (let u = this.start[slot]; u < this.start[slot + 1]; u++) left[u] = this.value[u] - allocated.consumedAt(slot, this.names[u]).milli();
  }
}
