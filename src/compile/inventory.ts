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
  /** Index of each slice's first device: a device's index is its slice's plus its position. */
  private readonly sliceStart = new Map<ResourceSlice, number>();
  /** Device index by `driver/pool/device`, or all of them when slices repeat a device. */
  private readonly byId = new Map<string, number | number[]>();
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
      this.sliceStart.set(s, this.devices.length);
      for (const d of s.spec.devices ?? []) {
        const i = this.devices.length;
        this.devices.push(d);
        this.sliceOf.push(s);
        this.ids.push(deviceId(s.spec.driver, s.spec.pool.name, d.name));
        this.driverId[i] = this.strings.id(s.spec.driver);
        this.poolId[i] = this.strings.id(`${s.spec.driver}/${s.spec.pool.name}`);
        this.nameId[i] = this.strings.id(d.name);
        const same = this.byId.get(this.ids[i]);
        if (same === undefined) this.byId.set(this.ids[i], i);
        else if (typeof same === 'number') this.byId.set(this.ids[i], [same, i]);
        else same.push(i);
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
    const i = this.byId.get(id);
    return i === undefined ? [] : typeof i === 'number' ? [i] : i;
  }

  get size(): number {
    return this.devices.length;
  }

  /** Number of devices. */
  get count(): number {
    return this.devices.length;
  }

  /** Index of the device at `position` of a slice of this inventory. */
  indexAt(slice: ResourceSlice, position: number): number {
    const start = this.sliceStart.get(slice);
    if (start === undefined || position >= (slice.spec.devices?.length ?? 0)) throw new Error('device is not part of this inventory');
    return start + position;
  }

  /** Index of a device object of this inventory (a search of its slice; tests and tools). */
  indexOf(d: Device): number {
    for (const [slice, start] of this.sliceStart) {
      const k = slice.spec.devices?.indexOf(d) ?? -1;
      if (k >= 0) return start + k;
    }
    throw new Error('device is not part of this inventory');
  }
}
