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
 * ID string is built when asked for (`idAt`), and the ID → slot index is a typed hash table
 * (SlotTable) keyed by the two ids. This keeps the inventory at a few dozen bytes per device.
 * The column arrays may be longer than `size` (room to grow) and are replaced when they grow:
 * read them through the inventory, do not keep them across changes.
 */

import type { Device, ResourceSlice } from '../model/types.js';
import { Interner } from './intern.js';
import { compactSlots, iota } from './iota.js';
import { jsonTemplate, sameJsonBut, type JsonTemplate } from './same-json.js';
import { SEVERAL } from '../model/allocated.js';
import { SliceIndex } from '../model/pools.js';
import { SlotTable } from './slot-table.js';
import { drain } from '../util/steps.js';

/** A slice's position in the input (SliceIndex orders slices by it), given the slice and its index in the list added. */
export type SliceOrder = (s: ResourceSlice, i: number) => number;

/** Devices added per step of `Inventory.build` (a few milliseconds of work). */
const STEP_DEVICES = 4096;

export class Inventory {
  /** Device objects by slot, and the slice each came from (undefined for a free slot; the arrays are `capacity` long, holes past `size`). */
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
  /** Device slots by (pool id, name id). */
  private readonly byId = new SlotTable();
  /** The pool id nameIdOf found last. */
  private lookedUpPool = 0;
  private content: Uint32Array;
  private readonly contents = new Interner();
  /**
   * Per device name id, a few devices whose content id is known (see contentId): devices of
   * slices stamped from one template mostly equal one of these. Bounded (KNOWN_NAMES names,
   * KNOWN_PER_NAME devices each); it may keep a few devices of removed slices alive.
   */
  private readonly known = new Map<number, { template: JsonTemplate; driver: number; id: number }[]>();
  /** Position in its `known` list of the device contentId matched last (tried first next time). */
  private knownHint = 0;
  private readonly texts = new Map<string, string>();
  /** How many IDs several slots have (slices repeating a device): while none, no slot is `repeated`. */
  private repeatedIds = 0;
  /** Devices that allow multiple allocations (`multiAllocatable`). */
  private multi = 0;
  /** Pool ids by driver, then pool name: a device is found by its three names without building its ID string. */
  private readonly poolIds = new Map<string, Map<string, number>>();
  /** Free slots, reused last freed first. */
  private readonly free: number[] = [];
  private sliceList?: ResourceSlice[];
  /** Slots in use or free are `0 .. end-1` (`size`); the arrays are longer (`capacity`). */
  private end = 0;

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
    let n = this.end;
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
    // Sized once, not pushed slot by slot (each growth of a large array is a fresh allocation); slots past `end` are holes.
    this.devices.length = n;
    this.sliceOf.length = n;
    this.byId.reserve(n, this.poolId, this.nameId);
  }

  /** Gives the devices of `s` slots (free ones first); returns them, in slice order. */
  addSlice(s: ResourceSlice, order: number): Int32Array {
    if (this.slotsOf.has(s)) throw new Error('slice is already part of this inventory');
    const devices = s.spec.devices ?? [];
    const n = devices.length;
    const driver = this.strings.id(s.spec.driver);
    const pool = this.poolIdOf(s.spec.driver, s.spec.pool.name);
    let held: Int32Array;
    if (this.free.length === 0) {
      // No free slot: the next n slots, as a view of the shared 0, 1, 2, … (no array of its own).
      if (this.end + n > this.driverId.length) this.reserve(Math.max(64, this.end + n, 2 * this.driverId.length));
      held = iota(this.end, n);
      this.end += n;
    } else {
      const slots = new Int32Array(n);
      for (let k = 0; k < n; k++) slots[k] = this.free.pop() ?? this.append();
      held = compactSlots(slots);
    }
    for (let k = 0; k < n; k++) {
      const i = held[k];
      this.devices[i] = devices[k];
      this.sliceOf[i] = s;
      this.driverId[i] = driver;
      this.poolId[i] = pool;
      this.nameId[i] = this.strings.id(devices[k].name);
      this.content[i] = 0;
      if (this.byId.add(i, this.poolId, this.nameId) === 1) this.repeatedIds++; // a second slot of the ID
      if (devices[k].allowMultipleAllocations === true) this.multi++;
    }
    this.slotsOf.set(s, held);
    this.sliceIndex.add(s, order, this.strings.string(pool)); // one pool key string, shared
    this.sliceList = undefined;
    return held;
  }

  /** Frees the slots of a slice of this inventory; returns them. */
  removeSlice(s: ResourceSlice): Int32Array {
    const slots = this.slotsOf.get(s);
    if (slots === undefined) throw new Error('slice is not part of this inventory');
    for (const i of slots) {
      this.byId.remove(i, this.poolId, this.nameId);
      if (this.byId.one(this.poolId[i], this.nameId[i], this.poolId, this.nameId, SEVERAL) >= 0) this.repeatedIds--; // one slot of the ID left
      if (this.devices[i].allowMultipleAllocations === true) this.multi--;
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
    if (this.end >= this.driverId.length) this.reserve(Math.max(64, 2 * this.driverId.length));
    return this.end++;
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
    // The position of the last hit is tried first: devices asked for one after another (a slice's,
    // in order) mostly share all but a few fields, and the lists of their names were filled in
    // the same order of contents, so the hint saves the comparisons that would fail.
    const known = this.known.get(this.nameId[i]);
    if (known !== undefined) {
      const h = this.knownHint < known.length ? this.knownHint : 0;
      for (let j = 0; j < known.length; j++) {
        const at = j === 0 ? h : j <= h ? j - 1 : j;
        const k = known[at];
        if (k.driver === driver && sameJsonBut(k.template, device, 'name')) {
          id = k.id;
          this.knownHint = at;
          break;
        }
      }
    }
    if (id === 0) {
      const { name: _name, ...rest } = device;
      id = this.contents.id(`${this.sliceOf[i].spec.driver}\u0000${JSON.stringify(rest)}`);
      if (known !== undefined) {
        if (known.length < KNOWN_PER_NAME) known.push({ template: jsonTemplate(device), driver, id });
      } else if (this.known.size < KNOWN_NAMES) this.known.set(this.nameId[i], [{ template: jsonTemplate(device), driver, id }]);
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
    const name = this.nameIdOf(id);
    return name === 0 ? [] : this.byId.all(this.lookedUpPool, name, this.poolId, this.nameId);
  }

  /** The one slot of the device named `id`; -1 when there is none, SEVERAL when slices repeat it. */
  slotOf(id: string): number {
    const name = this.nameIdOf(id);
    return name === 0 ? -1 : this.byId.one(this.lookedUpPool, name, this.poolId, this.nameId, SEVERAL);
  }

  /**
   * The interned name id of an ID string's device, 0 when no device has its pool or name; the
   * pool's id is left in `lookedUpPool` (no pair allocated on the commit path). The device name
   * is what follows the last `/` (a DNS label has none; a pool name may have some).
   */
  private nameIdOf(id: string): number {
    const cut = id.lastIndexOf('/');
    this.lookedUpPool = this.strings.lookup(id.slice(0, cut));
    return this.lookedUpPool === 0 ? 0 : this.strings.lookup(id.slice(cut + 1));
  }

  /** The `driver/pool/device` of a slot (undefined when it is free), built on each call. */
  idAt(i: number): string | undefined {
    return this.devices[i] === undefined ? undefined : `${this.strings.string(this.poolId[i])}/${this.strings.string(this.nameId[i])}`;
  }

  /** Whether other slots have the ID of the device in slot `i` too. */
  repeated(i: number): boolean {
    return this.repeatedIds > 0 && this.byId.one(this.poolId[i], this.nameId[i], this.poolId, this.nameId, SEVERAL) === SEVERAL;
  }

  /**
   * `slotOf` the device `driver/pool/device`, found by its names (an allocation result's fields:
   * strings whose hashes are computed once per string, where an ID string would be built anew).
   */
  slotOfDevice(driver: string, pool: string, device: string): number {
    const p = this.poolIds.get(driver)?.get(pool);
    const name = p === undefined ? 0 : this.strings.lookup(device);
    return name === 0 ? -1 : this.byId.one(p!, name, this.poolId, this.nameId, SEVERAL);
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
    return this.end;
  }

  /** Length of the column arrays (`size` plus room to grow): arrays kept per slot elsewhere use it too. */
  get capacity(): number {
    return this.driverId.length;
  }

  /** Number of devices that allow multiple allocations (`allowMultipleAllocations`): 0 spares looking for them. */
  get multiAllocatable(): number {
    return this.multi;
  }

  /** Number of devices (slots in use). */
  get count(): number {
    return this.end - this.free.length;
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

function grow(a: Uint32Array, length: number): Uint32Array {
  const b = new Uint32Array(length);
  b.set(a);
  return b;
}
