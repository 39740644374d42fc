/**
 * The compiled inventory: every device of every ResourceSlice gets a *slot*, a dense index that
 * keys typed columns, selector masks, the allocated-state flags and per-node views.
 *
 * Slices come and go one at a time (`addSlice` / `removeSlice`, O(devices of the slice)): a
 * removed slice's slots are freed and reused by the next slices added, so a slot is stable for
 * as long as its slice is held. A free slot has no device (`live(i)` is false; `devices[i]` and
 * `sliceOf[i]` are undefined): code that walks every slot (`i < size`) skips those.
 *
 * Device IDs (`driver/pool/device`) are not stored: a slot holds interned pool and name ids, the
 * ID string is built when asked for (`idAt`), and the ID → slot map is keyed by the two ids
 * packed in one number. This keeps the inventory at a few dozen bytes per device.
 * The column arrays may be longer than `size` (room to grow) and are replaced when they grow:
 * read them through the inventory, do not keep them across changes.
 */

import type { Device, ResourceSlice } from '../model/types.js';
import { Interner } from './intern.js';
import { compactSlots } from './iota.js';
import { sameJsonBut } from './same-json.js';
import { SEVERAL } from '../model/allocated.js';
import { SliceIndex } from '../model/pools.js';
import { drain } from '../util/steps.js';

/** A slice's position in the input (SliceIndex orders slices by it), given the slice and its index in the list added. */
export type SliceOrder = (s: ResourceSlice, i: number) => number;

/** Devices added per step of `Inventory.build` (a few milliseconds of work). */
const STEP_DEVICES = 4096;

export class Inventory {
  /** Device objects by slot, and the slice each came from (undefined for a free slot). */
  readonly devices: Device[] = [];
  readonly sliceOf: ResourceSlice[] = [];
  /** Interned driver, pool (`driver/pool`) and device names, per slot. */
  driverId: Uint32Array;
  poolId: Uint32Array;
  nameId: Uint32Array;
  readonly strings = new Interner();
  /** The slices indexed by node and pool (gatherPools). */
  readonly sliceIndex = new SliceIndex([]);
  /** The slots of each slice's devices, in slice order. */
  private readonly slotsOf = new Map<ResourceSlice, Int32Array>();
  /** Device slot by `idKey(pool id, name id)`, or all of them when slices repeat a device. */
  private readonly byId = new Map<number, number | number[]>();
  private content: Uint32Array;
  private readonly contents = new Interner();
  /**
   * Per device name id, a few devices whose content id is known (see contentId): devices of
   * slices stamped from one template mostly equal one of these. Bounded (KNOWN_NAMES names,
   * KNOWN_PER_NAME devices each); it may keep a few devices of removed slices alive.
   */
  private readonly known = new Map<number, { device: Device; driver: number; id: number }[]>();
  private readonly texts = new Map<string, string>();
  /** How many IDs several slots have (slices repeating a device): while none, no slot is `repeated`. */
  private repeatedIds = 0;
  /** Pool ids by driver, then pool name: a device is found by its three names without building its ID string. */
  private readonly poolIds = new Map<string, Map<string, number>>();
  /** Free slots, reused last freed first. */
  private readonly free: number[] = [];
  private sliceList?: ResourceSlice[];

  /** `order(s, i)`: the slice's position in the input (see SliceIndex); default its index in `slices`. */
  constructor(slices: readonly ResourceSlice[] = [], order: SliceOrder = (_s, i) => i) {
    this.driverId = this.poolId = this.nameId = this.content = new Uint32Array(0);
    drain(this.addAll(slices, order));
  }

  /** An inventory of `slices` built in steps of about STEP_DEVICES devices (for callers that yield between them). */
  static *build(slices: readonly ResourceSlice[], order: SliceOrder): Generator<void, Inventory> {
    const inv = new Inventory();
    yield* inv.addAll(slices, order);
    return inv;
  }

  /** Adds `slices` (columns sized for all of them first), a step after every STEP_DEVICES devices or so. */
  private *addAll(slices: readonly ResourceSlice[], order: SliceOrder): Generator<void, void> {
    let n = this.devices.length;
    for (const s of slices) n += s.spec.devices?.length ?? 0;
    this.reserve(n);
    let sinceStep = 0;
    for (let i = 0; i < slices.length; i++) {
      this.addSlice(slices[i], order(slices[i], i));
      sinceStep += slices[i].spec.devices?.length ?? 0;
      if (sinceStep >= STEP_DEVICES) {
        sinceStep = 0;
        yield;
      }
    }
  }

  /** Grows the columns to hold at least `n` slots. */
  private reserve(n: number): void {
    if (n <= this.driverId.length) return;
    this.driverId = grow(this.driverId, n);
    this.poolId = grow(this.poolId, n);
    this.nameId = grow(this.nameId, n);
    this.content = grow(this.content, n);
  }

  /** Gives the devices of `s` slots (free ones first); returns them, in slice order. */
  addSlice(s: ResourceSlice, order: number): Int32Array {
    if (this.slotsOf.has(s)) throw new Error('slice is already part of this inventory');
    const devices = s.spec.devices ?? [];
    const slots = new Int32Array(devices.length);
    const driver = this.strings.id(s.spec.driver);
    const pool = this.poolIdOf(s.spec.driver, s.spec.pool.name);
    devices.forEach((d, k) => {
      const i = this.free.pop() ?? this.append();
      slots[k] = i;
      this.devices[i] = d;
      this.sliceOf[i] = s;
      const name = this.strings.id(d.name);
      this.driverId[i] = driver;
      this.poolId[i] = pool;
      this.nameId[i] = name;
      this.content[i] = 0;
      const id = idKey(pool, name);
      const same = this.byId.get(id);
      if (same === undefined) this.byId.set(id, i);
      else if (typeof same === 'number') {
        this.byId.set(id, [same, i]);
        this.repeatedIds++;
      } else same.push(i);
    });
    const held = compactSlots(slots);
    this.slotsOf.set(s, held);
    this.sliceIndex.add(s, order);
    this.sliceList = undefined;
    return held;
  }

  /** Frees the slots of a slice of this inventory; returns them. */
  removeSlice(s: ResourceSlice): Int32Array {
    const slots = this.slotsOf.get(s);
    if (slots === undefined) throw new Error('slice is not part of this inventory');
    for (const i of slots) {
      const id = idKey(this.poolId[i], this.nameId[i]);
      const same = this.byId.get(id);
      if (typeof same === 'number') this.byId.delete(id);
      else if (same !== undefined) {
        same.splice(same.indexOf(i), 1);
        if (same.length === 1) {
          this.byId.set(id, same[0]);
          this.repeatedIds--;
        }
      }
      (this.devices as (Device | undefined)[])[i] = undefined;
      (this.sliceOf as (ResourceSlice | undefined)[])[i] = undefined;
      this.free.push(i);
    }
    this.slotsOf.delete(s);
    this.sliceIndex.remove(s);
    this.sliceList = undefined;
    return slots;
  }

  /** A new slot at the end, growing the columns (doubling) when they are full. */
  private append(): number {
    const i = this.devices.length;
    if (i >= this.driverId.length) this.reserve(Math.max(64, 2 * this.driverId.length));
    this.devices.push(undefined as unknown as Device);
    this.sliceOf.push(undefined as unknown as ResourceSlice);
    return i;
  }

  /** The slices, in input order. */
  get slices(): readonly ResourceSlice[] {
    this.sliceList ??= this.sliceIndex.ordered();
    return this.sliceList;
  }

  /**
   * A small integer that is equal for two devices exactly when everything about them but their
   * name is equal (driver, attributes, capacity, counters, taints, flags): what selectors,
   * taints and capacity checks see. Computed on first use; stable for as long as the engine
   * lives (equal contents keep their id across slice changes).
   */
  contentId(i: number): number {
    let id = this.content[i];
    if (id !== 0) return id;
    const device = this.devices[i];
    const driver = this.driverId[i];
    // A device equal to a known one of the same name (compared field by field, no text) has its id.
    const known = this.known.get(this.nameId[i]);
    if (known !== undefined) {
      for (const k of known) {
        if (k.driver === driver && sameJsonBut(k.device, device, 'name')) {
          id = k.id;
          break;
        }
      }
    }
    if (id === 0) {
      const { name: _name, ...rest } = device;
      id = this.contents.id(`${this.sliceOf[i].spec.driver}\u0000${JSON.stringify(rest)}`);
      if (known !== undefined) {
        if (known.length < KNOWN_PER_NAME) known.push({ device, driver, id });
      } else if (this.known.size < KNOWN_NAMES) this.known.set(this.nameId[i], [{ device, driver, id }]);
    }
    this.content[i] = id;
    return id;
  }

  /**
   * One string object per distinct text (node shapes: many nodes look alike, and each keeps
   * its shape). Grows with the distinct texts seen, not with the nodes.
   */
  canonical(text: string): string {
    let c = this.texts.get(text);
    if (c === undefined) {
      c = text;
      this.texts.set(text, c);
    }
    return c;
  }

  /** Slots of the devices named `driver/pool/device` (several when slices repeat a device). */
  indicesOf(id: string): readonly number[] {
    const i = this.byId.get(this.keyOf(id));
    return i === undefined ? [] : typeof i === 'number' ? [i] : i;
  }

  /** The one slot of the device named `id`; -1 when there is none, SEVERAL when slices repeat it. */
  slotOf(id: string): number {
    const i = this.byId.get(this.keyOf(id));
    return i === undefined ? -1 : typeof i === 'number' ? i : SEVERAL;
  }

  /**
   * The byId key of an ID string, -1 when no device has its pool or name. The device name is
   * what follows the last `/` (a DNS label has none; a pool name may have some).
   */
  private keyOf(id: string): number {
    const cut = id.lastIndexOf('/');
    const pool = this.strings.lookup(id.slice(0, cut));
    const name = pool === 0 ? 0 : this.strings.lookup(id.slice(cut + 1));
    return name === 0 ? -1 : idKey(pool, name);
  }

  /** The `driver/pool/device` of a slot (undefined when it is free), built on each call. */
  idAt(i: number): string | undefined {
    return this.devices[i] === undefined ? undefined : `${this.strings.string(this.poolId[i])}/${this.strings.string(this.nameId[i])}`;
  }

  /** Whether other slots have the ID of the device in slot `i` too. */
  repeated(i: number): boolean {
    return this.repeatedIds > 0 && typeof this.byId.get(idKey(this.poolId[i], this.nameId[i])) !== 'number';
  }

  /**
   * `slotOf` the device `driver/pool/device`, found by its names (an allocation result's fields:
   * strings whose hashes are computed once per string, where an ID string would be built anew).
   */
  slotOfDevice(driver: string, pool: string, device: string): number {
    const p = this.poolIds.get(driver)?.get(pool);
    const name = p === undefined ? 0 : this.strings.lookup(device);
    const i = name === 0 ? undefined : this.byId.get(idKey(p!, name));
    return i === undefined ? -1 : typeof i === 'number' ? i : SEVERAL;
  }

  /** The interned id of pool `driver/pool`, interning it on first sight. */
  private poolIdOf(driver: string, pool: string): number {
    let byName = this.poolIds.get(driver);
    if (byName === undefined) this.poolIds.set(driver, (byName = new Map()));
    let id = byName.get(pool);
    if (id === undefined) byName.set(pool, (id = this.strings.id(`${driver}/${pool}`)));
    return id;
  }

  /** Bound of the slot numbers: slots are `0 .. size-1`, some of them possibly free. */
  get size(): number {
    return this.devices.length;
  }

  /** Length of the column arrays (`size` plus room to grow): arrays kept per slot elsewhere use it too. */
  get capacity(): number {
    return this.driverId.length;
  }

  /** Number of devices (slots in use). */
  get count(): number {
    return this.devices.length - this.free.length;
  }

  /** Whether slot `i` holds a device. */
  live(i: number): boolean {
    return this.devices[i] !== undefined;
  }

  /** Slots of a slice's devices, in slice order (do not modify). */
  slotsOfSlice(slice: ResourceSlice): Int32Array {
    const slots = this.slotsOf.get(slice);
    if (slots === undefined) throw new Error('slice is not part of this inventory');
    return slots;
  }

  /** Slot of a device object of this inventory (a search of its slice; tests and tools). */
  indexOf(d: Device): number {
    for (const [slice, slots] of this.slotsOf) {
      const k = slice.spec.devices?.indexOf(d) ?? -1;
      if (k >= 0) return slots[k];
    }
    throw new Error('device is not part of this inventory');
  }
}

/** Bounds of Inventory.known: names, and devices per name. */
const KNOWN_NAMES = 1024;
const KNOWN_PER_NAME = 16;

/** Interned ids below 2^26, so that pool × 2^26 + name stays an exact integer (below 2^52). */
const ID_BITS = 2 ** 26;

/** The byId key of a (pool id, name id) pair. */
function idKey(pool: number, name: number): number {
  if (pool >= ID_BITS || name >= ID_BITS) throw new Error(`inventory: more than ${ID_BITS} distinct driver, pool and device names`);
  return pool * ID_BITS + name;
}

function grow(a: Uint32Array, length: number): Uint32Array {
  const b = new Uint32Array(length);
  b.set(a);
  return b;
}
