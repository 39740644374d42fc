import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Engine } from '../../src/engine.js';
import { LiveState, type ObjectSource } from '../../src/k8s/live-state.js';
import type { LiveKindName } from '../../src/k8s/resources.js';
import { objectKey } from '../../src/k8s/resources.js';
import type { DraObject, Pod, ResourceClaim } from '../../src/model/types.js';
import type { Change } from '../../src/k8s/informers.js';
import { gpuClass, gpuNode } from './cluster.js';

/** The informer caches as plain maps; `change` applies a change to them first, as ClusterWatch does. */
class Caches implements ObjectSource {
  readonly maps = new Map<LiveKindName, Map<string, DraObject>>();
  get<T extends DraObject>(k: LiveKindName, key: string) {
    return this.maps.get(k)?.get(key) as T | undefined;
  }
  all<T extends DraObject>(k: LiveKindName) {
    return [...(this.maps.get(k)?.values() ?? [])] as T[];
  }
  map<T extends DraObject>(k: LiveKindName) {
    return (this.maps.get(k) ?? new Map()) as ReadonlyMap<string, T>;
  }
  change(kind: LiveKindName, type: Change['type'], object: DraObject): Change {
    const m = this.maps.get(kind) ?? new Map();
    this.maps.set(kind, m);
    const old = m.get(objectKey(object));
    if (type === 'delete') m.delete(objectKey(object));
    else m.set(objectKey(object), object);
    return { kind, type, object, old };
  }
}

const N = 6; // claims c0..c5; claim i, when allocated, always holds gpu-i (devices never shared)
const claim = (i: number, allocated: boolean, rv: number): ResourceClaim => ({
  apiVersion: 'resource.k8s.io/v1', kind: 'ResourceClaim', metadata: { name: `c${i}`, namespace: 'default', resourceVersion: String(rv) },
  spec: { devices: { requests: [{ name: 'gpu', exactly: { deviceClassName: 'gpu', count: 1 } }] } },
  ...(allocated ? { status: { allocation: { devices: { results: [{ request: 'gpu', driver: 'gpu.example.com', pool: 'n', device: `gpu-${i}` }] } } } } : {}),
});

type Op = { op: 'put'; i: number; allocated: boolean } | { op: 'delete'; i: number } | { op: 'schedule'; i: number } | { op: 'settle' };
const ops = fc.array(
  fc.oneof(
    fc.record({ op: fc.constant('put' as const), i: fc.nat(N - 1), allocated: fc.boolean() }),
    fc.record({ op: fc.constant('delete' as const), i: fc.nat(N - 1) }),
    fc.record({ op: fc.constant('schedule' as const), i: fc.nat(N - 1) }),
    fc.constant({ op: 'settle' as const }),
  ),
  { maxLength: 40 },
);

describe('LiveState: engine and informer caches agree after any order of events', () => {
  it('holds the desired claim per key and exactly the desired devices in use', async () => {
    const base = [...gpuNode('n', 12), gpuClass] as unknown as DraObject[];
    await fc.assert(
      fc.asyncProperty(ops, async (sequence) => {
        const caches = new Caches();
        for (const o of base) caches.change(o.kind as LiveKindName, 'add', o);
        const state = new LiveState(await Engine.create(), caches);
        state.load();
        let rv = 1;
        const inFlight: string[] = [];
        for (const step of sequence) {
          if (step.op === 'put') state.apply(caches.change('ResourceClaim', caches.get('ResourceClaim', `default/c${step.i}`) ? 'update' : 'add', claim(step.i, step.allocated, ++rv)));
          if (step.op === 'delete') {
            const c = caches.get<ResourceClaim>('ResourceClaim', `default/c${step.i}`);
            if (c) state.apply(caches.change('ResourceClaim', 'delete', c));
          }
          if (step.op === 'schedule') {
            const c = caches.get<ResourceClaim>('ResourceClaim', `default/c${step.i}`);
            if (!c || c.status?.allocation || state.pendingKeys().includes(`default/c${step.i}`)) continue;
            // A Pod using only this claim; other free devices may be picked: the engine decides.
            const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: `p${step.i}`, namespace: 'default', uid: `u${step.i}` }, spec: { resourceClaims: [{ name: 'gpu', resourceClaimName: `c${step.i}` }] } } as Pod;
            const { commit } = await state.schedule(pod);
            inFlight.push(...commit.allocated.map(objectKey));
          }
          if (step.op === 'settle') for (const k of inFlight.splice(0)) state.settle(k);
          expect(state.agreesWithStore()).toBeUndefined();
          // Devices in use = those of the desired claims (pending commit, else cached), by a direct count.
          const desired = new Set([...caches.all<ResourceClaim>('ResourceClaim').map(objectKey), ...state.pendingKeys()]);
          const expected = new Set<string>();
          for (const key of desired) {
            const c = state.engine.listClaims().find((x) => objectKey(x) === key);
            for (const r of c?.status?.allocation?.devices?.results ?? []) expected.add(`${r.driver}/${r.pool}/${r.device}`);
          }
          expect(new Set(state.engine.inspect().allocated.dedicated)).toEqual(expected);
        }
      }),
      { numRuns: 60, seed: 42 },
    );
  });
});

describe('LiveState.scheduleGroup', () => {
  it('holds informer changes back while the cycle runs, and applies them after its undo', { timeout: 10_000 }, async () => {
    // Node n with 4 GPUs; gang of 3 Pods, each with its own 2-GPU claim g0..g2: g0 and g1 fit,
    // g2 does not → not admitted, both undone. While the cycle runs, a foreign claim `f`
    // (allocated gpu-3) arrives: it must survive the undo, in the engine and the scheduler.
    const caches = new Caches();
    for (const o of [...gpuNode('n', 4), gpuClass] as unknown as DraObject[]) caches.change(o.kind as LiveKindName, 'add', o);
    const two = (name: string): ResourceClaim => ({ apiVersion: 'resource.k8s.io/v1', kind: 'ResourceClaim', metadata: { name, namespace: 'default', resourceVersion: '2' }, spec: { devices: { requests: [{ name: 'gpu', exactly: { deviceClassName: 'gpu', count: 2 } }] } } });
    for (const i of [0, 1, 2]) caches.change('ResourceClaim', 'add', two(`g${i}`));
    const state = new LiveState(await Engine.create(), caches);
    state.load();
    const pod = (name: string, claimName: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', uid: `u-${name}` }, spec: { resourceClaims: [{ name: 'gpu', resourceClaimName: claimName }] } }) as Pod;
    const cycle = state.scheduleGroup([pod('p0', 'g0'), pod('p1', 'g1'), pod('p2', 'g2')], 3, new Map());
    // The cycle is suspended at its first await (with the placement kernel, g0 is placed by then:
    // schedulePodAsync placed it without yielding): this change arrives meanwhile.
    state.apply(caches.change('ResourceClaim', 'add', { ...claim(3, true, 9), metadata: { name: 'f', namespace: 'default', resourceVersion: '9' } }));
    expect([...state.engine.inspect().allocated.dedicated]).not.toContain('gpu.example.com/n/gpu-3'); // held back
    const attempt = await cycle;
    expect(attempt.admitted).toBe(false);
    expect(attempt.cycle.why).toBe('minCount (3) cannot be satisfied: 2 scheduled, 0 remaining');
    expect([...state.engine.inspect().allocated.dedicated]).toEqual(['gpu.example.com/n/gpu-3']);
    expect(state.agreesWithStore()).toBeUndefined();
    // The scheduler knows `f` after the undo: a Pod using it is placed on n (reserved, nothing allocated).
    const { decision } = await state.schedule(pod('q', 'f'));
    expect(decision.node).toBe('n');
  });
});
