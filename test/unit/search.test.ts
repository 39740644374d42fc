/**
 * The search's own safeguards (on top of upstream semantics, which the conformance and property
 * tests cover): pruning by counts ends an impossible request at once instead of enumerating
 * combinations, and the step budget stops a search that is still expensive, with an error.
 * Step counts are upstream's unit (allocateOne invocations), worked out by hand below.
 */
import { describe, it, expect } from 'vitest';
import { Engine } from '../../src/engine.js';
import type { DraObject, ResourceClaim } from '../../src/model/types.js';

const node: DraObject = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } };
const cls: DraObject = { apiVersion: 'resource.k8s.io/v1', kind: 'DeviceClass', metadata: { name: 'any' }, spec: {} };

function slice(n: number, model: (i: number) => string): DraObject {
  return {
    apiVersion: 'resource.k8s.io/v1',
    kind: 'ResourceSlice',
    metadata: { name: 's' },
    spec: {
      driver: 'd.example.com',
      nodeName: 'n1',
      pool: { name: 'p', generation: 1, resourceSliceCount: 1 },
      devices: Array.from({ length: n }, (_, i) => ({ name: `dev-${i}`, attributes: { model: { string: model(i) } } })),
    },
  };
}

function claim(requests: { name: string; count: number; model?: string }[]): ResourceClaim {
  return {
    apiVersion: 'resource.k8s.io/v1',
    kind: 'ResourceClaim',
    metadata: { name: 'c', namespace: 'default' },
    spec: {
      devices: {
        requests: requests.map((r) => ({
          name: r.name,
          exactly: {
            deviceClassName: 'any',
            count: r.count,
            selectors: r.model ? [{ cel: { expression: `device.attributes["d.example.com"].model == "${r.model}"` } }] : [],
          },
        })),
      },
    },
  };
}

describe('search safeguards', () => {
  it('prunes a request that asks more devices than are left (no enumeration of 2^20 combinations)', async () => {
    const engine = await Engine.create({ objects: [node, cls, slice(20, () => 'a')] });
    const out = await engine.allocate([claim([{ name: 'r', count: 21 }])], { node: 'n1' });
    expect(out.kind).toBe('unsatisfiable');
    // Frame 1: the request's first device: 20 candidates < 21 needed → pruned at once.
    expect(out.stats?.steps).toBe(1);
  });

  it('stops at the step budget with an error when the search is still expensive', async () => {
    // r0 takes 3 of 20 "a" devices, r1 needs 3 "b" devices of which only 2 exist: every one of
    // the C(20,3) = 1,140 choices for r0 reaches r1 (which is pruned at once), so the search
    // takes thousands of steps before it can say no.
    const objects = [node, cls, slice(22, (i) => (i < 20 ? 'a' : 'b'))];
    const c = claim([
      { name: 'r0', count: 3, model: 'a' },
      { name: 'r1', count: 3, model: 'b' },
    ]);
    const free = await (await Engine.create({ objects })).allocate([c], { node: 'n1' });
    expect(free.kind).toBe('unsatisfiable');
    expect(free.stats!.steps).toBeGreaterThan(1140);

    const limited = await (await Engine.create({ objects, maxSteps: 100 })).allocate([c], { node: 'n1' });
    expect(limited).toMatchObject({ kind: 'error' });
    expect((limited as { message: string }).message).toMatch(/^search stopped after 100 steps without an answer/);
  });
});
