/**
 * Objects of one kind held by key, in a stable order. Replacing the object of a key keeps the
 * key's position (like `Map.set`); a deleted key that comes back goes last. A key holds several
 * objects only when they were `push`ed (the engine's initial object list is taken as given,
 * duplicates included, the way upstream's allocator takes plain lists).
 */

import type { ObjectKey } from './keys.js';

interface Entry<T> {
  object: T;
  /** Position in the order (increasing with insertion; shared by a key's replacements). */
  seq: number;
}

/** What `set` and `delete` return when they replaced nothing (shared: do not mutate). */
const NONE: readonly never[] = Object.freeze([]);

export class KeyedObjects<T> {
  /** A key's entry, or its entries when several objects were pushed under it (the rare case gets the array). */
  private readonly byKey = new Map<ObjectKey, Entry<T> | Entry<T>[]>();
  private next = 0;
  private count = 0;
  /** `values()` until the next change. */
  private ordered?: T[];

  /** Makes `object` the only object of `key`; returns the objects it replaced. */
  set(key: ObjectKey, object: T): readonly T[] {
    const old = this.byKey.get(key);
    this.ordered = undefined;
    if (old === undefined) {
      this.byKey.set(key, { object, seq: this.next++ });
      this.count++;
      return NONE;
    }
    if (!Array.isArray(old)) {
      // The common replacement (a claim committed or released again): the entry keeps its place.
      const replaced = old.object;
      old.object = object;
      return [replaced];
    }
    this.byKey.set(key, { object, seq: old[0].seq });
    this.count += 1 - old.length;
    return old.map((e) => e.object);
  }

  /** Adds `object` next to what `key` already holds. */
  push(key: ObjectKey, object: T): void {
    const entry = { object, seq: this.next++ };
    const old = this.byKey.get(key);
    if (old === undefined) this.byKey.set(key, entry);
    else if (Array.isArray(old)) old.push(entry);
    else this.byKey.set(key, [old, entry]);
    this.count++;
    this.ordered = undefined;
  }

  /** Removes every object of `key`; returns them. */
  delete(key: ObjectKey): readonly T[] {
    const old = this.byKey.get(key);
    if (old === undefined) return NONE;
    this.byKey.delete(key);
    this.ordered = undefined;
    if (!Array.isArray(old)) {
      this.count--;
      return [old.object];
    }
    this.count -= old.length;
    return old.map((e) => e.object);
  }

  get(key: ObjectKey): readonly T[] {
    const old = this.byKey.get(key);
    return old === undefined ? NONE : Array.isArray(old) ? old.map((e) => e.object) : [old.object];
  }

  /** Position of an object held under `key` (undefined when it is not held). */
  seqOf(key: ObjectKey, object: T): number | undefined {
    const old = this.byKey.get(key);
    if (old === undefined) return undefined;
    if (!Array.isArray(old)) return old.object === object ? old.seq : undefined;
    return old.find((e) => e.object === object)?.seq;
  }

  get size(): number {
    return this.count;
  }

  /** Every object, in order (the same array until the next change: do not mutate it). */
  values(): readonly T[] {
    if (!this.ordered) {
      const all: Entry<T>[] = [];
      for (const e of this.byKey.values()) {
        if (Array.isArray(e)) all.push(...e);
        else all.push(e);
      }
      this.ordered = all.sort((a, b) => a.seq - b.seq).map((e) => e.object);
    }
    return this.ordered;
  }
}
