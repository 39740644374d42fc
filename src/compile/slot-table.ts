/**
 * The inventory's device-ID index: slots by (pool id, name id), in one typed array instead of a
 * Map (a Map entry with a number key cost ~60 bytes of heap per device; this costs 8-16 bytes,
 * outside the JS heap).
 *
 * Open addressing with linear probing: `table` holds slot + 1 (0 = empty); a slot's key is read
 * from the inventory's columns, which every call passes (they are replaced when they grow).
 * Several slots may share a key (slices that repeat a device): lookups return all of them.
 * Removal shifts the following entries back (no tombstones), so the table never fills with
 * deleted entries. Load factor ≤ 1/2, so a probe sequence stays short.
 */
export class SlotTable {
  private table = new Int32Array(16);
  private count = 0;

  /**
   * Files `slot` under its key (`pool[slot]`, `name[slot]`); returns how many slots the key had
   * before (0, 1, or 2 for two or more). The probe for a free cell passes them all: slots of one
   * key share a home cell, and no run of filled cells has a gap.
   */
  add(slot: number, pool: Uint32Array, name: Uint32Array): number {
    if (2 * (this.count + 1) > this.table.length) this.rehash(2 * this.table.length, pool, name);
    this.count++;
    return this.put(slot, pool, name);
  }

  /** Takes `slot` out (its key columns must still hold its key); no-op when absent. */
  remove(slot: number, pool: Uint32Array, name: Uint32Array): void {
    const t = this.table;
    const mask = t.length - 1;
    let i = hash(pool[slot], name[slot]) & mask;
    while (t[i] !== 0 && t[i] !== slot + 1) i = (i + 1) & mask;
    if (t[i] === 0) return;
    this.count--;
    // Backward shift: move later entries of the run into the hole when their home allows.
    let hole = i;
    for (let j = (i + 1) & mask; t[j] !== 0; j = (j + 1) & mask) {
      const s = t[j] - 1;
      const home = hash(pool[s], name[s]) & mask;
      // j's entry may move to the hole when its home is not cyclically in (hole, j].
      if (((j - home) & mask) >= ((j - hole) & mask)) {
        t[hole] = t[j];
        hole = j;
      }
    }
    t[hole] = 0;
  }

  /** The one slot filed under (p, n); -1 when there is none, `several` when there are more. */
  one(p: number, n: number, pool: Uint32Array, name: Uint32Array, several: number): number {
    const t = this.table;
    const mask = t.length - 1;
    let first = -1;
    for (let i = hash(p, n) & mask; t[i] !== 0; i = (i + 1) & mask) {
      const s = t[i] - 1;
      if (pool[s] !== p || name[s] !== n) continue;
      if (first >= 0) return several;
      first = s;
    }
    return first;
  }

  /** Every slot filed under (p, n). */
  all(p: number, n: number, pool: Uint32Array, name: Uint32Array): number[] {
    const t = this.table;
    const mask = t.length - 1;
    const out: number[] = [];
    for (let i = hash(p, n) & mask; t[i] !== 0; i = (i + 1) & mask) {
      const s = t[i] - 1;
      if (pool[s] === p && name[s] === n) out.push(s);
    }
    return out;
  }

  /** Makes room for `n` entries in all (before adding many). */
  reserve(n: number, pool: Uint32Array, name: Uint32Array): void {
    let size = this.table.length;
    while (2 * n > size) size *= 2;
    if (size > this.table.length) this.rehash(size, pool, name);
  }

  /** Puts `slot` in the first free cell from its home; returns the slots of its key passed on the way (at most 2). */
  private put(slot: number, pool: Uint32Array, name: Uint32Array): number {
    const t = this.table;
    const mask = t.length - 1;
    const p = pool[slot];
    const n = name[slot];
    let same = 0;
    let i = hash(p, n) & mask;
    for (; t[i] !== 0; i = (i + 1) & mask) {
      const s = t[i] - 1;
      if (same < 2 && pool[s] === p && name[s] === n) same++;
    }
    t[i] = slot + 1;
    return same;
  }

  private rehash(size: number, pool: Uint32Array, name: Uint32Array): void {
    const old = this.table;
    this.table = new Int32Array(size);
    for (let i = 0; i < old.length; i++) if (old[i] !== 0) this.put(old[i] - 1, pool, name);
  }
}

function hash(p: number, n: number): number {
  const h = Math.imul(p, 0x9e3779b1) ^ Math.imul(n + 0x7f4a7c15, 0x85ebca77);
  return h ^ (h >>> 15);
}
