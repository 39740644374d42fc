import { describe, it, expect } from 'vitest';
import { unknownAttributeReferences, editDistance } from '../../src/compile/selector-diagnostics.js';
import { Inventory } from '../../src/compile/inventory.js';
import { nvidiaSlice } from '../fixtures/nvidia-slice.js';

const OPTS = { consumableCapacity: true, listTypeAttributes: false };

/** One nvidia slice: bare names (domain gpu.nvidia.com) and one qualified name in another domain. */
const inv = new Inventory([
  nvidiaSlice([
    {
      name: 'gpu-0',
      attributes: { productName: { string: 'A100' }, gpu: { bool: true }, 'resource.kubernetes.io/pcieRoot': { string: 'pci0' } },
      capacity: { memory: { value: '40Gi' } },
    },
  ]),
]);

const warn = (expression: string) => unknownAttributeReferences(expression, inv, OPTS);

describe('unknownAttributeReferences', () => {
  it('says nothing when every reference exists', () => {
    expect(warn('device.attributes["gpu.nvidia.com"].productName == "A100" && has(device.attributes["gpu.nvidia.com"].gpu)')).toEqual([]);
    expect(warn('device.capacity["gpu.nvidia.com"].memory.isGreaterThan(quantity("1Gi"))')).toEqual([]);
    expect(warn('device.driver == "gpu.nvidia.com"')).toEqual([]);
  });

  it('points a qualified name used as the domain at domain and name (the seed article)', () => {
    expect(warn('device.attributes["gpu.nvidia.com/gpu"].size() > 0')).toEqual([
      {
        reference: 'device.attributes["gpu.nvidia.com/gpu"]',
        message: 'no device has attributes in domain "gpu.nvidia.com/gpu" (a qualified name is not a domain); did you mean device.attributes["gpu.nvidia.com"].gpu?',
        suggestion: 'device.attributes["gpu.nvidia.com"].gpu',
      },
    ]);
    const [w] = warn('device.attributes["gpu.nvidia.com/gpu"].productName == "A100"');
    expect(w.reference).toBe('device.attributes["gpu.nvidia.com/gpu"].productName');
    expect(w.suggestion).toBe('device.attributes["gpu.nvidia.com"].productName');
  });

  it('suggests the closest name within an existing domain', () => {
    const [w] = warn('device.attributes["gpu.nvidia.com"].productname == "A100"');
    expect(w.reference).toBe('device.attributes["gpu.nvidia.com"].productname');
    expect(w.suggestion).toBe('device.attributes["gpu.nvidia.com"].productName');
  });

  it('suggests the closest domain, keeping the name when that domain has it', () => {
    const [w] = warn('"gpu" in device.attributes["gpu.nvidia.co"]');
    expect(w.message).toBe('no device has attributes in domain "gpu.nvidia.co"; did you mean device.attributes["gpu.nvidia.com"].gpu?');
    const [c] = warn('device.capacity["nvidia.com"].memory.isInteger()');
    expect(c.suggestion).toBe('device.capacity["gpu.nvidia.com"].memory');
  });

  it('reports each reference once and ignores expressions that do not compile', () => {
    expect(warn('device.attributes["x.io"].a == 1 || device.attributes["x.io"].a == 2')).toHaveLength(1);
    expect(warn('device.attributes[')).toEqual([]);
  });

  it('edit distance is Levenshtein', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('same', 'same')).toBe(0);
  });
});
