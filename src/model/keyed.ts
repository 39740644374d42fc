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

export class KeyedObjects<T> {
  private readonly byKey = new Map<ObjectKey, Entry<T>[]>();
  private next = 0;
  private count = 0;
  /** `values()` until the next change. */
  private ordered?: T[];

  /** Makes `object` the only object of `key`; returns the objects it replaced. */
  set(key: ObjectKey, object: T): T[] {
    const old = this.byKey.get(key);
    this.ordered = undefined;
    if (old?.length === 1) {
      // The common replacement (a claim committed or released again): the entry keeps its place.
      const replaced = old[0].object;
      old[0].object = object;
      return [replaced];
    }
    const seq = old ? old[0].seq : this.next++;
    this.byKey.set(key, [{ object, seq }]);
    this.count += 1 - (old?.length ?? 0);
    return old ? old.map((e) => e.object) : [];
  }

  /** Adds `object` next to what `key` already holds. */
  push(key: ObjectKey, object: T): void {
    const entry = { object, seq: this.next++ };
    const list = this.byKey.get(key);
    if (list) list.push(entry);
    else this.byKey.set(key, [entry]);
    this.count++;
    this.ordered = undefined;
  }

  /** Removes every object of `key`; returns them. */
  delete(key: ObjectKey): T[] {
    const old = this.byKey.get(key);
    if (!old) return [];
    this.byKey.delete(key);
    this.count -= old.length;
    this.ordered = undefined;
    return old.map((e) => e.object);
  }

  get(key: ObjectKey): readonly T[] {
    return this.byKey.get(key)?.map((e) => e.object) ?? [];
  }

  /** Position of an object held under `key` (undefined when it is not held). */
  seqOf(key: ObjectKey, object: T): number | undefined {
    return this.byKey.get(key)?.find((e) => e.object === object)?.seq;
  }

  get size(): number {
    return this.count;
  }

  /** Every object, in order (the same array until the next change: do not mutate it). */
  values(): readonly T[] {
    if (!this.ordered) {
      const all: Entry<T>[] = [];
      for (const list of this.byKey.values()) all.push(...list);
      this.ordered = all.sort((a, b) => a.seq - b.seq).map((e) => e.object);
    }
    return this.ordered;
  }
}
