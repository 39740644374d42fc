/**
 * The compiled inventory: every device of every ResourceSlice gets a dense index (slices in
 * input order, devices in slice order) and a row in typed columns. Selector masks, the
 * allocated-state flags and per-node views are keyed by this index. Immutable once built; an
 * update builds a new one (incremental patching is a later optimisation behind this contract).
 */

import type { Device, ResourceSlice } from '../model/types.js';
import { Interner } from './intern.js';
import { deviceId } from '../model/allocated.js';
import { SliceIndex } from '../model/pools.js';

export class Inventory {
  /** Device objects by index, and the slice each came from. */
  readonly devices: Device[] = [];
  readonly sliceOf: ResourceSlice[] = [];
  /** `driver/pool/device` of each device. */
  readonly ids: string[] = [];
  /** Interned driver, pool (`driver/pool`) and device names, per device. */
  readonly driverId: Uint32Array;
  readonly poolId: Uint32Array;
  readonly nameId: Uint32Array;
  readonly strings = new Interner();
  /** The slices indexed by node and pool (gatherPools). */
  readonly sliceIndex: SliceIndex;
  private readonly index = new Map<Device, number>();
  /** Device indices by `driver/pool/device` (several when slices repeat a device). */
  private readonly byId = new Map<string, number[]>();
  private readonly content: Uint32Array;
  private readonly contents = new Interner();

  constructor(readonly slices: readonly ResourceSlice[]) {
    let n = 0;
    for (const s of slices) n += s.spec.devices?.length ?? 0;
    this.driverId = new Uint32Array(n);
    this.poolId = new Uint32Array(n);
    this.nameId = new Uint32Array(n);
    this.content = new Uint32Array(n);
    for (const s of slices) {
      for (const d of s.spec.devices ?? []) {
        const i = this.devices.length;
        this.devices.push(d);
        this.sliceOf.push(s);
        this.ids.push(deviceId(s.spec.driver, s.spec.pool.name, d.name));
        this.driverId[i] = this.strings.id(s.spec.driver);
        this.poolId[i] = this.strings.id(`${s.spec.driver}/${s.spec.pool.name}`);
        this.nameId[i] = this.strings.id(d.name);
        this.index.set(d, i);
        const same = this.byId.get(this.ids[i]);
        if (same) same.push(i);
        else this.byId.set(this.ids[i], [i]);
      }
    }
    this.sliceIndex = new SliceIndex(slices);
  }

  /**
   * A small integer that is equal for two devices exactly when everything about them but their
   * name is equal (driver, attributes, capacity, counters, taints, flags): what selectors,
   * taints and capacity checks see. Computed on first use.
   */
  contentId(i: number): number {
    let id = this.content[i];
    if (id === 0) {
      const { name: _name, ...rest } = this.devices[i];
      id = this.contents.id(`${this.sliceOf[i].spec.driver}\u0000${JSON.stringify(rest)}`);
      this.content[i] = id;
    }
    return id;
  }

  /** Indices of the devices named `driver/pool/device` (several when slices repeat a device). */
  indicesOf(id: string): readonly number[] {
    return this.byId.get(id) ?? [];
  }

  get size(): number {
    return this.devices.length;
  }

  /** Index of a device object of this inventory. */
  indexOf(d: Device): number {
    const i = this.index.get(d);
    if (i === undefined) throw new Error('device is not part of this inventory');
    return i;
  }
}
