/**
 * The allocated state, built from claims that already carry `status.allocation` the way
 * kube-scheduler builds it (`allocateddevices.go`): results with adminAccess do not count;
 * with DRAConsumableCapacity, results with a shareID are shares (their consumedCapacity is
 * aggregated per device), all others dedicated allocations.
 *
 * The state is kept per device ID (upstream's `driver/pool/device`), stored per inventory slot:
 * every slot whose device has the ID holds a copy (slices may repeat an ID: then all its slots
 * count alike), and an ID no device of the attached inventory has (a claim from outside naming
 * a device not (yet) there, or everything before `attach`) is kept by its string in `detached`
 * until a slice brings a device with that ID. A result's device is found by its names
 * (DeviceIndex.slotOfDevice), so committing and releasing builds and hashes no ID strings.
 */

import type { DeviceRequestAllocationResult, ResourceClaim } from './types.js';
import { parseQuantity, Quantity } from './quantity.js';

/** `driver/pool/device`, upstream's DeviceID string form. */
export function deviceId(driver: string, pool: string, device: string): string {
  return `${driver}/${pool}/${device}`;
}

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
  /** Whether other slots have the ID of the device in slot `i` too. */
  repeated(i: number): boolean;
  /** `slotOf` the device with these names (no ID string built). */
  slotOfDevice(driver: string, pool: string, device: string): number;
}

/** DeviceIndex.slotOf: the ID names several devices. */
export const SEVERAL = -2;

export const FLAG_DEDICATED = 1;
export const FLAG_SHARED = 2;
/** Some share reported consumedCapacity (the device is in upstream's AggregatedCapacity). */
export const FLAG_AGGREGATED = 4;

/** The shares of one device: how many, how many reported consumedCapacity, the capacity they consume together. */
export interface Shares {
  shares: number;
  reported: number;
  consumed: Map<string, Quantity>;
}

/** The state of one device ID kept by its string (no slot has the ID). */
interface Held {
  holders: number;
  share?: Shares;
}

const NO_SLOTS: readonly number[] = [];

export class AllocatedState {
  /** Per device of the attached inventory: FLAG_DEDICATED | FLAG_SHARED | FLAG_AGGREGATED (the hot paths read this). */
  flags = new Uint8Array(0);
  /** Changes whenever `flags` may have changed: what was computed from them at another version is stale. */
  version = 0;
  /** While set: the slots whose flags are written are pushed here (the engine records what a slice change moved). */
  recording?: number[];
  /**
   * By slot: how many claims beyond the first hold the device dedicated (inconsistent input may
   * give one device to several); FLAG_DEDICATED says there is a first. No entry: at most one.
   */
  private readonly extraHolders = new Map<number, number>();
  /** By slot: the device's shares (one object for all slots of a repeated ID); devices without shares have no entry. */
  private readonly shareOf = new Map<number, Shares>();
  /** IDs in use that no slot of the attached inventory has, by ID string. */
  private readonly detached = new Map<string, Held>();
  private index?: DeviceIndex;

  /** Keeps the state per slot of `index` from now on (what was kept before moves over by ID). */
  attach(index: DeviceIndex): void {
    const old = this.index;
    if (old) this.detach(Array.from({ length: old.size }, (_, i) => i)); // rare: the engine attaches once
    this.index = index;
    this.flags = new Uint8Array(index.capacity);
    this.extraHolders.clear();
    this.shareOf.clear();
    this.version++;
    for (const id of [...this.detached.keys()]) {
      const slots = index.indicesOf(id);
      if (slots.length > 0) this.settle(id, slots);
    }
  }

  /**
   * The devices of `slots` are about to leave the attached index (their slice is removed): the
   * state of an ID no other slot has is kept by its string, and the slots are cleared.
   */
  detach(slots: ArrayLike<number>): void {
    const index = this.index!;
    let leaving: Set<number> | undefined;
    for (let k = 0; k < slots.length; k++) {
      const i = slots[k];
      if (this.flags[i] === 0) continue; // nothing held
      const holders = this.holdersAt(i);
      const share = this.shareOf.get(i);
      const id = index.idAt(i)!;
      let stays = false;
      if (index.repeated(i)) {
        leaving ??= new Set(Array.from(slots));
        stays = index.indicesOf(id).some((j) => !leaving!.has(j));
      }
      if (!stays && !this.detached.has(id)) this.detached.set(id, { holders, share });
      this.setSlot(i, 0, undefined);
    }
    this.version++;
  }

  /**
   * The devices of `slots` of the attached index changed (slices added, or removed after
   * `detach`): a new device takes the state of its ID, kept by string or held by another slot
   * with the same ID.
   */
  update(slots: ArrayLike<number>): void {
    const index = this.index!;
    if (this.flags.length < index.size) {
      const flags = new Uint8Array(index.capacity);
      flags.set(this.flags);
      this.flags = flags;
    }
    this.version++;
    for (let k = 0; k < slots.length; k++) {
      const i = slots[k];
      const id = index.idAt(i);
      if (id === undefined) this.setSlot(i, 0, undefined);
      else if (this.flags[i] === 0) {
        if (this.detached.has(id)) this.settle(id, index.indicesOf(id));
        else if (index.repeated(i)) {
          const from = index.indicesOf(id).find((j) => this.flags[j] !== 0);
          if (from !== undefined) this.setSlot(i, this.holdersAt(from), this.shareOf.get(from));
        }
      }
    }
  }

  /** Moves the state of `id`, kept by string, into its slots. */
  private settle(id: string, slots: readonly number[]): void {
    const held = this.detached.get(id)!;
    this.detached.delete(id);
    for (const i of slots) this.setSlot(i, held.holders, held.share);
  }

  /** How many claims hold the device in slot `i` dedicated. */
  private holdersAt(i: number): number {
    return this.flags[i] & FLAG_DEDICATED ? 1 + (this.extraHolders.get(i) ?? 0) : 0;
  }

  /** Sets the state of slot `i`, its flags included. */
  private setSlot(i: number, holders: number, share: Shares | undefined): void {
    this.recording?.push(i);
    if (holders > 1) this.extraHolders.set(i, holders - 1);
    else if (this.extraHolders.size > 0) this.extraHolders.delete(i);
    if (share) this.shareOf.set(i, share);
    else if (this.shareOf.size > 0) this.shareOf.delete(i);
    this.flags[i] = (holders > 0 ? FLAG_DEDICATED : 0) | (share ? FLAG_SHARED : 0) | (share && share.reported > 0 ? FLAG_AGGREGATED : 0);
  }

  /**
   * Adds (sign 1) or removes (sign -1) the results of one allocated claim. `known`: the slot of
   * each result's device in the attached index when the caller has it (the placement kernel's
   * picks), else each is found by its names; a repeated ID is always looked up.
   */
  apply(claim: ResourceClaim, consumableCapacity: boolean, sign: 1 | -1 = 1, known?: readonly number[]): void {
    const results = claim.status?.allocation?.devices?.results;
    if (!results) return;
    this.version++;
    for (let k = 0; k < results.length; k++) {
      const r = results[k];
      if (r.adminAccess) continue;
      const shared = consumableCapacity && !!r.shareID;
      const index = this.index;
      const one = !index ? -1 : known && !index.repeated(known[k]) ? known[k] : index.slotOfDevice(r.driver, r.pool, r.device);
      if (one >= 0) {
        if (shared) this.setSlot(one, this.holdersAt(one), addShare(this.shareOf.get(one), r.consumedCapacity, sign));
        else this.setSlot(one, Math.max(0, this.holdersAt(one) + sign), this.shareOf.get(one));
        continue;
      }
      const id = deviceId(r.driver, r.pool, r.device);
      const slots = one === SEVERAL ? this.index!.indicesOf(id) : NO_SLOTS;
      if (slots.length === 0) {
        const held = this.detached.get(id) ?? { holders: 0 };
        if (shared) held.share = addShare(held.share, r.consumedCapacity, sign);
        else held.holders = Math.max(0, held.holders + sign);
        if (held.holders === 0 && held.share === undefined) this.detached.delete(id);
        else this.detached.set(id, held);
        continue;
      }
      // A repeated ID: its slots hold equal counts and one Shares object.
      const share = shared ? addShare(this.shareOf.get(slots[0]), r.consumedCapacity, sign) : this.shareOf.get(slots[0]);
      const holders = shared ? this.holdersAt(slots[0]) : Math.max(0, this.holdersAt(slots[0]) + sign);
      for (const i of slots) this.setSlot(i, holders, share);
    }
  }

  /** The state of device `id` (undefined when not in use). */
  private heldOf(id: string): Held | undefined {
    const slot = this.index?.slotOf(id) ?? -1;
    if (slot === -1) return this.detached.get(id);
    const i = slot === SEVERAL ? this.index!.indicesOf(id)[0] : slot;
    return this.flags[i] === 0 ? undefined : { holders: this.holdersAt(i), share: this.shareOf.get(i) };
  }

  /** Devices allocated to a claim exclusively, by ID (computed on each call: for diagnostics and tests). */
  get dedicated(): Set<string> {
    const out = new Set<string>();
    for (let i = 0; i < this.flags.length; i++) if (this.flags[i] & FLAG_DEDICATED) out.add(this.index!.idAt(i)!);
    for (const [id, held] of this.detached) if (held.holders > 0) out.add(id);
    return out;
  }

  /** Devices with at least one share, by ID (computed on each call: for diagnostics and tests; do not mutate the entries). */
  get shared(): Map<string, Shares> {
    const out = new Map<string, Shares>();
    for (const [i, share] of this.shareOf) out.set(this.index!.idAt(i)!, share);
    for (const [id, held] of this.detached) if (held.share) out.set(id, held.share);
    return out;
  }

  isDedicated(id: string): boolean {
    return (this.heldOf(id)?.holders ?? 0) > 0;
  }
  hasShares(id: string): boolean {
    return this.heldOf(id)?.share !== undefined;
  }
  /** How many shares device `id` has. */
  shares(id: string): number {
    return this.heldOf(id)?.share?.shares ?? 0;
  }
  /** Capacity consumed by the shares of a device (zero when none). */
  consumed(id: string, capacity: string): Quantity {
    return this.heldOf(id)?.share?.consumed.get(capacity) ?? ZERO;
  }
  /** `shares` of the device in slot `i` of the attached index. */
  sharesAt(i: number): number {
    return this.shareOf.get(i)?.shares ?? 0;
  }
  /** `consumed` of the device in slot `i` of the attached index. */
  consumedAt(i: number, capacity: string): Quantity {
    return this.shareOf.get(i)?.consumed.get(capacity) ?? ZERO;
  }
}

/** `entry` with one share added (sign 1) or taken away (-1); undefined when no share is left. */
function addShare(entry: Shares | undefined, consumed: Record<string, string> | undefined, sign: 1 | -1): Shares | undefined {
  entry ??= { shares: 0, reported: 0, consumed: new Map() };
  entry.shares += sign;
  if (consumed !== undefined) {
    entry.reported += sign;
    for (const name in consumed) {
      const v = parseQuantity(consumed[name]);
      const prev = entry.consumed.get(name) ?? ZERO;
      entry.consumed.set(name, sign > 0 ? prev.add(v) : prev.sub(v));
    }
  }
  return entry.shares > 0 ? entry : undefined;
}

const ZERO = Quantity.fromInt(0);

