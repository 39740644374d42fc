/**
 * The allocated state, built from claims that already carry `status.allocation` the way
 * kube-scheduler builds it (`allocateddevices.go`): results with adminAccess do not count;
 * with DRAConsumableCapacity, results with a shareID are shares (their consumedCapacity is
 * aggregated per device), all others dedicated allocations.
 */

import type { DeviceRequestAllocationResult, ResourceClaim } from './types.js';
import { Quantity } from './quantity.js';

/** `driver/pool/device`, upstream's DeviceID string form. */
export function deviceId(driver: string, pool: string, device: string): string {
  return `${driver}/${pool}/${device}`;
}

/**
 * The inventory's own ID string of a device result the engine produced: reusing that one
 * string object (its hash is computed once) keeps committing an allocation cheap.
 */
const knownIds = new WeakMap<DeviceRequestAllocationResult, string>();
export function rememberDeviceId(result: DeviceRequestAllocationResult, id: string): void {
  knownIds.set(result, id);
}
const idOf = (r: DeviceRequestAllocationResult) => knownIds.get(r) ?? deviceId(r.driver, r.pool, r.device);

/** Resolves a device ID to the indices of the devices of an inventory that carry it. */
export interface DeviceIndex {
  /** Bound of the slot numbers, and the length to give per-slot arrays (room to grow). */
  readonly size: number;
  readonly capacity: number;
  indicesOf(id: string): readonly number[];
  /** The one slot of `id`; -1 when no device has it, SEVERAL when several do (then see indicesOf). */
  slotOf(id: string): number;
  /** The ID of the device in a slot (undefined when the slot is free). */
  idAt(i: number): string | undefined;
}

/** DeviceIndex.slotOf: the ID names several devices. */
export const SEVERAL = -2;

export const FLAG_DEDICATED = 1;
export const FLAG_SHARED = 2;
/** Some share reported consumedCapacity (the device is in upstream's AggregatedCapacity). */
export const FLAG_AGGREGATED = 4;

export class AllocatedState {
  /** Devices allocated to one claim exclusively. */
  readonly dedicated = new Set<string>();
  /** How many claims hold each dedicated device (inconsistent input may give one device to several). */
  private readonly holders = new Map<string, number>();
  /**
   * Devices with at least one share: how many, how many of them reported consumedCapacity, and
   * the capacity the shares consume together.
   */
  readonly shared = new Map<string, { shares: number; reported: number; consumed: Map<string, Quantity> }>();
  /** Per device of the attached inventory: FLAG_DEDICATED | FLAG_SHARED (the hot paths read this). */
  flags = new Uint8Array(0);
  /** Changes whenever `flags` may have changed: what was computed from them at another version is stale. */
  version = 0;
  private index?: DeviceIndex;

  /** Mirrors the state into `flags` for the devices of `index`. */
  attach(index: DeviceIndex): void {
    this.index = index;
    this.flags = new Uint8Array(index.capacity);
    this.version++;
    for (const id of this.dedicated) this.sync(id);
    for (const id of this.shared.keys()) this.sync(id);
  }

  /** The devices of `slots` of the attached index changed: their flags follow. */
  update(slots: ArrayLike<number>): void {
    const index = this.index!;
    if (this.flags.length < index.size) {
      const grown = new Uint8Array(index.capacity);
      grown.set(this.flags);
      this.flags = grown;
    }
    this.version++;
    for (let k = 0; k < slots.length; k++) {
      const id = index.idAt(slots[k]);
      this.flags[slots[k]] = id === undefined ? 0 : this.flagsOf(id);
    }
  }

  private sync(id: string): void {
    if (!this.index) return;
    const f = this.flagsOf(id);
    this.version++;
    const one = this.index.slotOf(id);
    if (one >= 0) this.flags[one] = f;
    else if (one === SEVERAL) for (const i of this.index.indicesOf(id)) this.flags[i] = f;
  }

  private flagsOf(id: string): number {
    const share = this.shared.get(id);
    return (this.dedicated.has(id) ? FLAG_DEDICATED : 0) | (share ? FLAG_SHARED : 0) | (share && share.reported > 0 ? FLAG_AGGREGATED : 0);
  }

  /** Adds (sign 1) or removes (sign -1) the results of one allocated claim. */
  apply(claim: ResourceClaim, consumableCapacity: boolean, sign: 1 | -1 = 1): void {
    for (const r of claim.status?.allocation?.devices?.results ?? []) {
      if (r.adminAccess) continue;
      const id = idOf(r);
      if (consumableCapacity && r.shareID) {
        this.addShare(id, r.consumedCapacity, sign);
      } else {
        const n = (this.holders.get(id) ?? 0) + sign;
        if (n > 0) {
          this.holders.set(id, n);
          this.dedicated.add(id);
        } else {
          this.holders.delete(id);
          this.dedicated.delete(id);
        }
      }
      this.sync(id);
    }
  }

  private addShare(id: string, consumed: Record<string, string> | undefined, sign: 1 | -1): void {
    let entry = this.shared.get(id);
    if (!entry) {
      entry = { shares: 0, reported: 0, consumed: new Map() };
      this.shared.set(id, entry);
    }
    entry.shares += sign;
    if (consumed !== undefined) entry.reported += sign;
    for (const [name, value] of Object.entries(consumed ?? {})) {
      const v = Quantity.parse(value);
      const prev = entry.consumed.get(name) ?? ZERO;
      entry.consumed.set(name, sign > 0 ? prev.add(v) : prev.sub(v));
    }
    if (entry.shares <= 0) this.shared.delete(id);
  }

  isDedicated(id: string): boolean {
    return this.dedicated.has(id);
  }
  hasShares(id: string): boolean {
    return this.shared.has(id);
  }
  /** Capacity consumed by the shares of a device (zero when none). */
  consumed(id: string, capacity: string): Quantity {
    return this.shared.get(id)?.consumed.get(capacity) ?? ZERO;
  }
}

const ZERO = Quantity.fromInt(0);

export function buildAllocatedState(claims: Iterable<ResourceClaim>, consumableCapacity: boolean): AllocatedState {
  const s = new AllocatedState();
  for (const c of claims) if (c.status?.allocation) s.apply(c, consumableCapacity);
  return s;
}
