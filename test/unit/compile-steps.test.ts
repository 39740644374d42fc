/**
 * The engine's stepwise compile (`precompileSteps`, driven by the async `prepare`): other calls
 * may run between its steps. A slice upserted while the inventory is being built must be part of
 * what the engine then allocates from — the half-built inventory is dropped, never kept.
 */
import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine.js';
import { gpu5k } from '../../src/gen/gpu-workloads.js';
import { Random } from '../../src/gen/random.js';
import type { Node, ResourceClaim, ResourceSlice } from '../../src/model/types.js';

describe('Engine.precompileSteps', () => {
  it('a slice upserted between two steps of the inventory build is allocated from afterwards', { timeout: 60_000 }, async () => {
    const w = gpu5k.generate(1000, new Random(1)); // 8,000 devices: the inventory takes several steps
    const engine = await Engine.create({ objects: [...w.classes, ...w.nodes, ...w.slices] });
    const steps = engine.precompileSteps();
    steps.next(); // the first step of the inventory build
    const node: Node = { ...w.nodes[0], metadata: { ...w.nodes[0].metadata, name: 'late-node' } };
    const s0 = w.slices[0];
    const late: ResourceSlice = { ...s0, metadata: { name: 'late-slice' }, spec: { ...s0.spec, nodeName: 'late-node', pool: { name: 'late-pool', generation: 1, resourceSliceCount: 1 } } };
    engine.upsert([node, late]);
    for (let step = steps.next(); !step.done; step = steps.next());
    expect(engine.inspect().inventory.count).toBe(8_000 + (late.spec.devices?.length ?? 0));
    const claim: ResourceClaim = {
      apiVersion: 'resource.k8s.io/v1',
      kind: 'ResourceClaim',
      metadata: { name: 'c', namespace: 'default', uid: 'c' },
      spec: { devices: { requests: [{ name: 'gpu', exactly: { deviceClassName: w.classes[0].metadata.name } }] } },
    };
    const out = engine.allocateSync([claim], { node: 'late-node' });
    expect(out.kind).toBe('allocated');
    const results = out.kind === 'allocated' ? out.results[0].devices?.results ?? [] : [];
    expect(results.map((r) => r.pool)).toEqual(['late-pool']);
  });
});
