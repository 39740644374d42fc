/**
 * Engine.heldNodePools (the resident tables' per-node pools): for each name of a node list, the
 * pools `nodePools` gives for the Node the engine holds under it, whether the list follows the
 * engine's order (walked in step) or not (looked up), undefined for a name the engine does not
 * hold.
 */
import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine.js';
import { dev, node, slice } from './objects.js';

/** Nodes a, b, c with one, two and no devices. */
async function engine() {
  const slices = [slice('a-gpus', [dev('gpu-0')], { poolName: 'a', nodeName: 'a' }), slice('b-gpus', [dev('gpu-0'), dev('gpu-1')], { poolName: 'b', nodeName: 'b' })];
  const e = await Engine.create({ objects: [node('a'), node('b'), node('c'), ...slices] });
  e.precompile();
  return e;
}

const devicesOf = (np: { slots: Int32Array } | undefined) => (np ? np.slots.length : -1);

describe('Engine.heldNodePools', () => {
  it("the engine's nodes in its order: each node's cached pools", { timeout: 20_000 }, async () => {
    const e = await engine();
    const held = [...e.inspect().nodes.values()];
    const got = e.heldNodePools(held);
    expect(got[0]).toBe(e.nodePools(held[0]));
    expect(got[1]).toBe(e.nodePools(held[1]));
    expect(got[2]).toBe(e.nodePools(held[2]));
    expect(got.map(devicesOf)).toEqual([1, 2, 0]);
  });

  it('another order, an unknown name and a replaced Node: looked up, as nodePools answers', { timeout: 20_000 }, async () => {
    const e = await engine();
    const [a, b] = [...e.inspect().nodes.values()];
    // b replaced by a new object: the engine keeps it in b's place, its pools' cache entry is dropped (made again last).
    const b2 = node('b', { zone: 'z' });
    e.upsert([b2]);
    const got = e.heldNodePools([a, b, node('x'), a]);
    expect(got[0]).toBe(e.nodePools(a));
    expect(got[1]!.node).toBe(b2); // the held Node, not the stale object given
    expect(got[1]).toBe(e.nodePools(b2));
    expect(devicesOf(got[1])).toBe(2);
    expect(got[2]).toBeUndefined();
    expect(got[3]).toBe(got[0]);
  });
});
