/**
 * SlotTable (compile/slot-table.ts): slots filed by (pool, name) read from key columns. Expected
 * values: a plain Map from key to the set of slots, kept alongside through random adds and
 * removes (many keys collide on purpose: few pools and names, repeated keys, a table that grows).
 */
import { describe, expect, it } from 'vitest';
import { SlotTable } from '../../src/compile/slot-table.js';

const SEVERAL = -2;

describe('SlotTable', () => {
  it('finds one slot, several, or none', () => {
    const pool = Uint32Array.from([1, 1, 2, 1]);
    const name = Uint32Array.from([5, 6, 5, 5]);
    const t = new SlotTable();
    for (let s = 0; s < 4; s++) t.add(s, pool, name);
    expect(t.one(1, 6, pool, name, SEVERAL)).toBe(1);
    expect(t.one(2, 5, pool, name, SEVERAL)).toBe(2);
    expect(t.one(1, 5, pool, name, SEVERAL)).toBe(SEVERAL); // slots 0 and 3
    expect(t.all(1, 5, pool, name).sort()).toEqual([0, 3]);
    expect(t.one(2, 6, pool, name, SEVERAL)).toBe(-1);
    expect(t.all(2, 6, pool, name)).toEqual([]);
    t.remove(0, pool, name);
    expect(t.one(1, 5, pool, name, SEVERAL)).toBe(3);
    t.remove(0, pool, name); // absent: no-op
    expect(t.all(1, 5, pool, name)).toEqual([3]);
  });

  it('agrees with a Map through random adds and removes', () => {
    let seed = 7;
    const rand = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
    const n = 3000;
    const pool = new Uint32Array(n);
    const name = new Uint32Array(n);
    const t = new SlotTable();
    const ref = new Map<string, Set<number>>();
    const held = new Set<number>();
    const key = (p: number, q: number) => `${p}/${q}`;
    for (let step = 0; step < 20000; step++) {
      const s = rand(n);
      if (held.has(s)) {
        t.remove(s, pool, name);
        ref.get(key(pool[s], name[s]))!.delete(s);
        held.delete(s);
      } else {
        pool[s] = 1 + rand(4);
        name[s] = 1 + rand(200);
        const k = key(pool[s], name[s]);
        expect(t.add(s, pool, name)).toBe(Math.min(2, ref.get(k)?.size ?? 0)); // slots the key had before
        if (!ref.has(k)) ref.set(k, new Set());
        ref.get(k)!.add(s);
        held.add(s);
      }
      if (step % 997 === 0 || step === 19999) {
        for (let p = 1; p <= 5; p++) {
          for (let q = 1; q <= 201; q++) {
            const want = [...(ref.get(key(p, q)) ?? [])].sort((a, b) => a - b);
            expect(t.all(p, q, pool, name).sort((a, b) => a - b)).toEqual(want);
            expect(t.one(p, q, pool, name, SEVERAL)).toBe(want.length === 0 ? -1 : want.length === 1 ? want[0] : SEVERAL);
          }
        }
      }
    }
  });
});
