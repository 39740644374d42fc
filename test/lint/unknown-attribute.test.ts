/**
 * lint's `unknown-attribute` rule and explain's selector warnings are one rule
 * (src/compile/attribute-names.ts): the same lookups are unknown to both, each in its own
 * wording; lint alone leaves out the names guards test. Expected texts by hand from the slice.
 */
import { describe, expect, it } from 'vitest';
import { lintString } from '../../src/lint/index.js';
import { unknownAttributeReferences } from '../../src/compile/selector-diagnostics.js';
import { Inventory } from '../../src/compile/inventory.js';
import type { ResourceSlice } from '../../src/model/types.js';

const CEL = { consumableCapacity: true, listTypeAttributes: false };

const slice = {
  apiVersion: 'resource.k8s.io/v1',
  kind: 'ResourceSlice',
  metadata: { name: 's' },
  spec: { driver: 'gpu.example.com', nodeName: 'n1', pool: { name: 'p', generation: 1, resourceSliceCount: 1 }, devices: [{ name: 'gpu-0', attributes: { model: { string: 'A100' } } }] },
} as ResourceSlice;

/** lint's unknown-attribute messages for a DeviceClass with `expression`. */
function lintMessages(expression: string): string[] {
  const text = `${JSON.stringify(slice)}\n---\n${JSON.stringify({ apiVersion: 'resource.k8s.io/v1', kind: 'DeviceClass', metadata: { name: 'c' }, spec: { selectors: [{ cel: { expression } }] } })}\n`;
  return lintString(text, 'x.yaml', CEL).filter((f) => f.rule === 'unknown-attribute').map((f) => f.message);
}

const explainReferences = (expression: string) => unknownAttributeReferences(expression, new Inventory([slice]), CEL).map((w) => w.reference);

describe('unknown attributes: one rule for lint and explain', () => {
  it('a domain written as a field (`device.attributes.gpu`) is the key "gpu": unknown to both', { timeout: 10_000 }, () => {
    expect(lintMessages('device.attributes.gpu.model == "A100"')).toEqual(['device.attributes["gpu"].model: no device in the input has an attribute with domain "gpu"']);
    expect(explainReferences('device.attributes.gpu.model == "A100"')).toEqual(['device.attributes["gpu"].model']);
  });

  it('names that guards test: explain reports them, lint does not (a guard false for devices without the name is intended)', { timeout: 10_000 }, () => {
    expect(explainReferences('has(device.attributes["gpu.example.com"].modle)')).toEqual(['device.attributes["gpu.example.com"].modle']);
    expect(lintMessages('has(device.attributes["gpu.example.com"].modle)')).toEqual([]);
    expect(explainReferences('"modle" in device.attributes["gpu.example.com"]')).toEqual(['device.attributes["gpu.example.com"].modle']);
    expect(lintMessages('"modle" in device.attributes["gpu.example.com"]')).toEqual([]);
    // The guard's domain is still checked.
    expect(lintMessages('"model" in device.attributes["gpu.exmple.com"]')).toEqual([
      'device.attributes["gpu.exmple.com"]: no device in the input has an attribute with domain "gpu.exmple.com"; did you mean device.attributes["gpu.example.com"]?',
    ]);
  });

  it('the same unknown name, in each wording', { timeout: 10_000 }, () => {
    expect(lintMessages('device.attributes["gpu.example.com"].modle == "A100"')).toEqual([
      'device.attributes["gpu.example.com"].modle: no device in the input has attribute gpu.example.com/modle; did you mean .model?',
    ]);
    expect(unknownAttributeReferences('device.attributes["gpu.example.com"].modle == "A100"', new Inventory([slice]), CEL).map((w) => w.message)).toEqual([
      'no device has attributes "modle" in domain "gpu.example.com"; did you mean device.attributes["gpu.example.com"].model?',
    ]);
  });
});
