/**
 * sameJson (compile/same-json.ts): `true` only when the JSON texts are equal. Expected values:
 * JSON.stringify of both sides, compared by hand below.
 */
import { describe, expect, it } from 'vitest';
import { jsonTemplate, sameJson as sameTemplate, sameJsonBut as sameTemplateBut } from '../../src/compile/same-json.js';
import { Inventory } from '../../src/compile/inventory.js';
import { dev, slice } from './objects.js';

/** The comparisons below, each with a template of its first value. */
const sameJson = (a: unknown, b: unknown) => sameTemplate(jsonTemplate(a), b);
const sameJsonBut = (a: unknown, b: unknown, skip: string) => sameTemplateBut(jsonTemplate(a), b, skip);

describe('sameJson', () => {
  it('says true for values with equal JSON text', () => {
    expect(sameJson({ a: { int: 1 }, b: [1, 'x', null] }, { a: { int: 1 }, b: [1, 'x', null] })).toBe(true);
    expect(sameJson([], [])).toBe(true);
    expect(sameJson('80Gi', '80Gi')).toBe(true);
  });

  it('says false where the texts differ: values, key order, arrays against objects, lengths', () => {
    expect(sameJson({ a: 1, b: 2 }, { b: 2, a: 1 })).toBe(false); // {"a":1,"b":2} vs {"b":2,"a":1}
    expect(sameJson({ a: { int: 1 } }, { a: { int: 2 } })).toBe(false);
    expect(sameJson({ a: [1] }, { a: { 0: 1 } })).toBe(false);
    expect(sameJson([1, 2], [1])).toBe(false);
    expect(sameJson({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(sameJson({ a: null }, { a: {} })).toBe(false);
    expect(sameJson(1, '1')).toBe(false);
  });

  it('compares objects without a prototype, and says false for other kinds of objects (inherited keys)', () => {
    const bare = Object.assign(Object.create(null) as object, { a: 1 });
    expect(sameJson({ a: 1 }, bare)).toBe(true);
    expect(sameJson({ a: 1 }, Object.assign(Object.create({ b: 2 }) as object, { a: 1 }))).toBe(false); // for … in would list b
    expect(sameJson([1, [2]], [1, [2]])).toBe(true);
    expect(sameJson([1, [2]], [1, [3]])).toBe(false);
  });

  it('leaves one property out on request', () => {
    expect(sameJsonBut({ name: 'gpu-0', x: 1 }, { name: 'gpu-1', x: 1 }, 'name')).toBe(true);
    expect(sameJsonBut({ name: 'gpu-0', x: 1 }, { name: 'gpu-1', x: 2 }, 'name')).toBe(false);
    expect(sameJsonBut({ name: 'gpu-0', x: 1 }, { x: 1, name: 'gpu-1' }, 'name')).toBe(false); // key order differs
  });
});

describe('Inventory.contentId', () => {
  it('is equal exactly for devices equal but for their name, driver included', () => {
    const attrs = (model: string) => ({ attributes: { model: { string: model } }, capacity: { memory: { value: '80Gi' } } });
    const inv = new Inventory([
      slice('a', [dev('gpu-0', attrs('A100')), dev('gpu-1', attrs('H100'))], { poolName: 'a' }),
      slice('b', [dev('gpu-0', attrs('A100')), dev('gpu-1', attrs('A100'))], { poolName: 'b' }),
      slice('c', [dev('gpu-0', attrs('A100'))], { poolName: 'c', driver: 'other.example.com' }),
      slice('d', [dev('gpu-0', { capacity: { memory: { value: '80Gi' } }, attributes: { model: { string: 'A100' } } })], { poolName: 'd' }),
    ]);
    const ids = [0, 1, 2, 3, 4, 5].map((i) => inv.contentId(i));
    // Slots: a/gpu-0 A100, a/gpu-1 H100, b/gpu-0 A100, b/gpu-1 A100, c/gpu-0 (other driver), d/gpu-0 (keys in other order).
    expect(ids[2]).toBe(ids[0]);
    expect(ids[3]).toBe(ids[0]); // another name, same contents
    expect(ids[1]).not.toBe(ids[0]);
    expect(ids[4]).not.toBe(ids[0]);
    expect(ids[5]).not.toBe(ids[0]); // another JSON text: content ids follow the text
    expect(new Set(ids).size).toBe(4);
  });
});

describe('Inventory.contentId, the last hit tried first', () => {
  it('gives equal ids exactly to equal texts when the hinted known device differs only deep inside', () => {
    // Three contents per name, equal but for one leaf two levels down; slices list them in
    // changing orders, so the hint (the previous device's position) is right, wrong, or past the list.
    const attrs = (v: string, index: number) => ({
      attributes: { index: { int: index }, driverVersion: { version: v } },
      capacity: { memory: { value: '80Gi' } },
    });
    const versions = ['1.0.0', '1.0.1', '1.0.2'];
    const orders = [[0, 1, 2], [2, 1, 0], [1, 1, 1], [0, 2, 0], [2, 2, 1], [1, 0, 2]];
    const slices = orders.map((order, s) =>
      slice(`s${s}`, order.map((v, k) => dev(`gpu-${k % 2}`, attrs(versions[v], k % 2))), { poolName: `p${s}` }),
    );
    const inv = new Inventory(slices);
    const texts: string[] = [];
    const ids: number[] = [];
    for (let i = 0; i < inv.size; i++) {
      const { name: _n, ...rest } = inv.devices[i];
      texts.push(JSON.stringify(rest));
      ids.push(inv.contentId(i));
    }
    for (let a = 0; a < ids.length; a++) for (let b = 0; b < ids.length; b++) expect(ids[a] === ids[b]).toBe(texts[a] === texts[b]);
    expect(new Set(ids).size).toBe(6); // 3 versions × index 0 or 1
  });
});
