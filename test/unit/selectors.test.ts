import { afterEach, describe, expect, it, vi } from 'vitest';
import { Inventory } from '../../src/compile/inventory.js';
import { SelectorMasks } from '../../src/compile/selectors.js';
import { compileSelector, type CelOptions } from '../../src/cel/index.js';
import { dev, slice } from './objects.js';

const OPTS: CelOptions = { consumableCapacity: true, listTypeAttributes: false };
const inv = new Inventory([
  slice('s1', [
    dev('gpu-0', { attributes: { model: { string: 'A100' } } }),
    dev('gpu-1', { attributes: { model: { string: 'H100' } } }),
    dev('gpu-2'), // no model attribute
  ]),
]);

afterEach(() => vi.restoreAllMocks());

describe('SelectorMasks', () => {
  it('evaluates a selector per device', () => {
    const masks = new SelectorMasks(inv, OPTS);
    const e = 'has(device.attributes["gpu.example.com"].model) && device.attributes["gpu.example.com"].model == "A100"';
    expect([0, 1, 2].map((i) => masks.value(e, i))).toEqual([true, false, false]);
  });

  // A fast path may decide some devices without the CEL evaluator; what matters is that no
  // (expression, device) pair is ever evaluated twice, and repeated lookups evaluate nothing.
  it('evaluates each (expression, device) at most once', () => {
    const e = 'device.attributes["gpu.example.com"].model == "H100"';
    // compileSelector caches by text, so the masks use this very object: count its evaluations.
    const evaluate = vi.spyOn(compileSelector(e, OPTS), 'evaluate');
    const masks = new SelectorMasks(inv, OPTS);
    expect(masks.value(e, 1)).toBe(true);
    expect(masks.value(e, 0)).toBe(false);
    const first = evaluate.mock.calls.length;
    expect(masks.value(e, 1)).toBe(true);
    expect(masks.value(e, 0)).toBe(false);
    expect(masks.value(e, 1)).toBe(true);
    expect(evaluate).toHaveBeenCalledTimes(first);
    const names = evaluate.mock.calls.map((c) => c[0].name);
    expect(new Set(names).size).toBe(names.length);
  });

  it('keeps a runtime error per device, and evaluates it once too', () => {
    const e = 'device.attributes["gpu.example.com"].model == "A100"';
    const evaluate = vi.spyOn(compileSelector(e, OPTS), 'evaluate');
    const masks = new SelectorMasks(inv, OPTS);
    expect(masks.value(e, 2)).toEqual({ kind: 'runtime', message: 'no such key: model' });
    expect(masks.value(e, 2)).toEqual({ kind: 'runtime', message: 'no such key: model' });
    expect(masks.value(e, 0)).toBe(true);
    expect(masks.value(e, 0)).toBe(true);
    // Only the evaluator raises errors, so gpu-2 went through it — exactly once.
    const names = evaluate.mock.calls.map((c) => c[0].name);
    expect(names.filter((n) => n === 'gpu-2')).toEqual(['gpu-2']);
    expect(new Set(names).size).toBe(names.length);
  });

  it('a compile error is the value on every device', () => {
    const masks = new SelectorMasks(inv, OPTS);
    const want = {
      kind: 'compile',
      message: "compilation failed: ERROR: <input>:1:7: undefined field 'nope'\n | device.nope == 1\n | ......^",
    };
    expect(masks.value('device.nope == 1', 0)).toEqual(want);
    expect(masks.value('device.nope == 1', 2)).toEqual(want);
  });

  it('options matter: allowMultipleAllocations is declared only with DRAConsumableCapacity', () => {
    const e = 'device.allowMultipleAllocations == false';
    expect(new SelectorMasks(inv, OPTS).value(e, 0)).toBe(true);
    const off = new SelectorMasks(inv, { consumableCapacity: false, listTypeAttributes: false }).value(e, 0);
    expect(off).toMatchObject({ kind: 'compile' });
    expect((off as { message: string }).message).toContain("undefined field 'allowMultipleAllocations'");
  });
});
