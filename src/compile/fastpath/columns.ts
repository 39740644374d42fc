/**
 * Value columns over an inventory for the selector fast path: for each device, a dense id of the
 * value one `device` field has there (the driver, `allowMultipleAllocations`, or one
 * attribute/capacity entry `[domain][name]`). Equal ids mean equal CEL values, so any
 * expression over that field gives the same result on both devices; the converse need not hold
 * (ids are keyed by the raw API value, e.g. `1Gi` and `1024Mi` get different ids).
 *
 * Id 0 of an attribute/capacity column is "absent". Devices whose `device` value cannot be built
 * (an unsupported attribute, an invalid quantity: every selector fails on them) are marked in
 * `convertible` and carry id 0 everywhere; the fast path leaves them to the evaluator.
 * Free inventory slots are not convertible. Columns are built lazily, once per key, and are
 * immutable: a changed inventory needs new Columns.
 */
import type { Device, DeviceAttribute } from '../../model/types.js';
import type { Inventory } from '../inventory.js';
import { attributeField, convertible } from '../../cel/device-fields.js';
import { drain } from '../../util/steps.js';

/** A field of `device` whose value a column holds. */
export type ColumnKey =
  | { kind: 'driver' }
  | { kind: 'allowMultipleAllocations' }
  | { kind: 'attributes' | 'capacity'; domain: string; name: string };

export interface Column {
  /** Per device, the id of its value. */
  readonly ids: Uint32Array;
  /** Number of distinct ids (ids are `0 .. count-1`). */
  readonly count: number;
  /** Per id, the value's text (valueKeyOf below): '' = absent, else a type letter and the value, e.g. `sA100` for the string A100. */
  readonly texts: readonly string[];
}

/** A stable text for a key (map key; also used in diagnostics). */
export function keyText(k: ColumnKey): string {
  return k.kind === 'driver' || k.kind === 'allowMultipleAllocations' ? k.kind : `${k.kind}[${JSON.stringify(k.domain)}][${JSON.stringify(k.name)}]`;
}

/** Devices per step of `warmSteps` (a step stays well under a millisecond per thousand devices). */
const WARM_CHUNK = 2048;

export class Columns {
  private readonly convertibleFlags: Uint8Array;
  /** Devices [0, scanned) have their `convertible` flag computed. */
  private scanned = 0;
  /** Per content id (Inventory.contentId: equal contents, equal flag), the convertible flag once computed. */
  private readonly convertibleOf: number[] = [];
  private readonly columns = new Map<string, Column>();

  constructor(
    readonly inv: Inventory,
    private readonly opts: { listTypeAttributes: boolean },
  ) {
    this.convertibleFlags = new Uint8Array(inv.size);
  }

  /** 1 where the device's CEL value can be built, else 0. */
  get convertible(): Uint8Array {
    if (this.scanned < this.inv.size) drain(this.scan(this.inv.size));
    return this.convertibleFlags;
  }

  column(key: ColumnKey): Column {
    const text = keyText(key);
    let c = this.columns.get(text);
    if (c === undefined) {
      c = drain(this.build(key, this.inv.size));
      this.columns.set(text, c);
    }
    return c;
  }

  /**
   * Computes the convertible flags and the columns of `keys` ahead, yielding after every
   * WARM_CHUNK devices, so that a whole-inventory fill can run between other work (the async
   * `prepare`); `convertible` and `column` then return at once.
   */
  *warmSteps(keys: readonly ColumnKey[]): Generator<void, void> {
    yield* this.scan(WARM_CHUNK);
    for (const key of keys) {
      const text = keyText(key);
      if (!this.columns.has(text)) this.columns.set(text, yield* this.build(key, WARM_CHUNK));
    }
  }

  /** Flags the devices not scanned yet, yielding after every `chunk`. */
  private *scan(chunk: number): Generator<void, void> {
    const { inv, opts } = this;
    while (this.scanned < inv.size) {
      const end = Math.min(inv.size, this.scanned + chunk);
      for (let i = this.scanned; i < end; i++) {
        if (!inv.live(i)) continue; // 0
        const c = inv.contentId(i);
        let f = this.convertibleOf[c];
        if (f === undefined) this.convertibleOf[c] = f = convertible(inv.devices[i], opts) ? 1 : 0;
        this.convertibleFlags[i] = f;
      }
      this.scanned = end;
      if (end < inv.size) yield;
    }
  }

  /** Builds a column, yielding after every `chunk` devices. */
  private *build(key: ColumnKey, chunk: number): Generator<void, Column> {
    const { inv } = this;
    yield* this.scan(chunk);
    const flags = this.convertibleFlags;
    const valueKey = valueKeyOf(key);
    const ids = new Uint32Array(inv.size);
    const seen = new Map<string, number>([['', 0]]);
    // Devices of one content id have one value: it is looked up once per content id.
    const byContent: number[] = [];
    for (let start = 0; start < inv.size; start += chunk) {
      if (start > 0) yield;
      const end = Math.min(inv.size, start + chunk);
      for (let i = start; i < end; i++) {
        if (flags[i] === 0) continue;
        const c = inv.contentId(i);
        let id = byContent[c];
        if (id === undefined) {
          const v = valueKey(inv.devices[i], inv.sliceOf[i].spec.driver);
          id = seen.get(v) ?? seen.size;
          seen.set(v, id);
          byContent[c] = id;
        }
        ids[i] = id;
      }
    }
    return { ids, count: seen.size, texts: [...seen.keys()] };
  }
}

/** For a key, a function giving each device's value as text ('' = absent), injective on CEL values. */
function valueKeyOf(key: ColumnKey): (d: Device, driver: string) => string {
  switch (key.kind) {
    case 'driver':
      return (_d, driver) => 's' + driver;
    case 'allowMultipleAllocations':
      return (d) => (d.allowMultipleAllocations === true ? 't' : 'f');
    case 'attributes':
      return (d, driver) => {
        const a = entry(d.attributes, key.domain, key.name, driver);
        return a === undefined ? '' : attributeText(a);
      };
    case 'capacity':
      return (d, driver) => {
        const c = entry(d.capacity, key.domain, key.name, driver);
        return c === undefined ? '' : 'q' + c.value;
      };
  }
}

/**
 * The entry filed under `[domain][name]` the way device-value.ts files it: `domain/name`, or the
 * bare `name` when the domain is the driver's; when both exist the later one (in object key
 * order) wins, as in the converted map.
 */
function entry<T>(map: Record<string, T> | undefined, domain: string, name: string, driver: string): T | undefined {
  if (map === undefined) return undefined;
  const qualified = `${domain}/${name}`;
  const q = !domain.includes('/') && Object.hasOwn(map, qualified) ? map[qualified] : undefined;
  const bare = domain === driver && !name.includes('/') && Object.hasOwn(map, name) ? map[name] : undefined;
  if (q === undefined || bare === undefined) return q ?? bare;
  const keys = Object.keys(map);
  return keys.indexOf(qualified) > keys.indexOf(name) ? q : bare;
}

/** Text of the CEL value an attribute converts to (the field convertible.ts picks; lists whatever the gate, as unconvertible devices never get here). */
function attributeText(a: DeviceAttribute): string {
  switch (attributeField(a, true)) {
    case 'int':
      return 'i' + String(a.int);
    case 'bool':
      return 'b' + String(a.bool);
    case 'string':
      return 's' + a.string;
    case 'version':
      return 'v' + a.version;
    case 'ints':
      return 'I' + a.ints!.map(String).join(',');
    case 'bools':
      return 'B' + a.bools!.join(',');
    case 'strings':
      return 'S' + JSON.stringify(a.strings);
    case 'versions':
      return 'V' + JSON.stringify(a.versions);
    case undefined:
      return 'x';
  }
}
