/**
 * Gangs in `schedule()` on small hand-worked clusters (docs/gangs.md has the rules). Upstream
 * placements follow kube-scheduler's rotating start index (see test/schedule/semantics.test.ts):
 * on nodes [n1, n2] the first Pod starts at n1, and each Pod moves the start by the nodes it
 * examined. Devices inside a node are taken in slice order (gpu-0 first).
 */
import { describe, it, expect } from 'vitest';
import { Engine } from '../../src/engine.js';
import { schedule, type ScheduleOptions, type ScheduleResult } from '../../src/schedule/scheduler.js';
import type { DraObject, ResourceClaim } from '../../src/model/types.js';
import { allocatedClaim, claim, DRIVER, gpuClass, gpuNode, gpuPod, gpuRequest, objects, template } from '../fixtures/schedule/build.js';
import { basicGroup, gang, member } from './build.js';

interface Run {
  result: ScheduleResult;
  engine: Engine;
  placed: Record<string, string | undefined>;
  message: (pod: string) => string | undefined;
  claim: (name: string) => ResourceClaim;
  devices: (claimName: string) => string[];
  /** Devices the engine holds as allocated, sorted. */
  inUse: () => string[];
}

async function run(objs: DraObject[], opts: ScheduleOptions = {}): Promise<Run> {
  const engine = await Engine.create({ objects: objs });
  const result = schedule(engine, objs, opts);
  const claimOf = (name: string) => {
    const found = result.claims.filter((c) => c.metadata.name === name);
    expect(found, `claims named ${name}`).toHaveLength(1);
    return found[0];
  };
  return {
    result,
    engine,
    placed: Object.fromEntries(result.pods.map((p) => [p.pod.metadata.name, p.node])),
    message: (name) => result.pods.find((p) => p.pod.metadata.name === name)?.message,
    claim: claimOf,
    devices: (name) => (claimOf(name).status?.allocation?.devices?.results ?? []).map((r) => `${r.pool}/${r.device}`),
    inUse: () => [...engine.inspect().allocated.dedicated].map((id) => id.slice(DRIVER.length + 1)).sort(),
  };
}

const GPU1 = template('gpu-1', [gpuRequest('gpu', 1)]);
const workers = (group: string, n: number, tpl = 'gpu-1') => Array.from({ length: n }, (_, i) => member(group, gpuPod(`w${i}`, tpl)));
const notAdmitted = (why: string) => `pod group default/train was not admitted: ${why}`;

describe('gangs, upstream cycle', () => {
  it('all or nothing: 3 of 4 fit, so none is bound, no device stays allocated, and a later Pod sees the state as before', async () => {
    // n1: 2 GPUs, n2: 1. w0 → n1 (start n1), w1 → n2 (start n2), w2 → n1 (start n1), w3 fails on both:
    // 3 scheduled < minCount 4 → rolled back: every device is free again. kube-scheduler's start
    // index is not rolled back: it moved by 1 + 1 + 1 + 2 examined nodes to n2, where `solo` starts.
    const r = await run(objects(gpuClass(), gpuNode('n1', 2), gpuNode('n2', 1), GPU1, gang('train', 4), ...workers('train', 4), gpuPod('solo')));
    expect(r.placed).toEqual({ w0: undefined, w1: undefined, w2: undefined, w3: undefined, solo: 'n2' });
    for (const w of ['w0', 'w1', 'w2']) expect(r.message(w)).toBe(notAdmitted('minCount (4) cannot be satisfied: 3 scheduled, 0 remaining'));
    expect(r.message('w3')).toMatch(/^0\/2 nodes are available: 2 cannot allocate all claims\..* pod group default\/train was not admitted: minCount \(4\) cannot be satisfied: 3 scheduled, 0 remaining$/);
    // The claims stamped for the workers stay, unallocated and reserved for nobody.
    for (const w of ['w0', 'w1', 'w2', 'w3']) expect(r.claim(`${w}-gpu`).status).toBeUndefined();
    expect(r.devices('solo-gpu')).toEqual(['n2/gpu-0']);
    expect(r.inUse()).toEqual(['n2/gpu-0']);
    expect(r.result.groups).toEqual([
      { namespace: 'default', name: 'train', policy: 'gang', minCount: 4, pods: 4, placed: 0, admitted: false, reason: notAdmitted('minCount (4) cannot be satisfied: 3 scheduled, 0 remaining') },
    ]);
  });

  it('minCount below the group size: 3 of 4 fit, the gang is admitted and the fourth waits with its own reason', async () => {
    const r = await run(objects(gpuClass(), gpuNode('n1', 2), gpuNode('n2', 1), GPU1, gang('train', 3), ...workers('train', 4)));
    expect(r.placed).toEqual({ w0: 'n1', w1: 'n2', w2: 'n1', w3: undefined });
    expect(r.devices('w0-gpu')).toEqual(['n1/gpu-0']);
    expect(r.devices('w2-gpu')).toEqual(['n1/gpu-1']);
    expect(r.message('w3')).toMatch(/^0\/2 nodes are available: 2 cannot allocate all claims\./);
    expect(r.message('w3')).not.toContain('pod group');
    expect(r.result.groups?.[0]).toMatchObject({ admitted: true, placed: 3, pods: 4 });
  });

  it('stops as soon as minCount is out of reach (later members are not tried)', async () => {
    // 2 GPUs: w0, w1 fit, w2 fails → 2 scheduled + 1 remaining < 4: w3 is never tried.
    const r = await run(objects(gpuClass(), gpuNode('n1', 2), GPU1, gang('train', 4), ...workers('train', 4)));
    const why = notAdmitted('minCount (4) cannot be satisfied: 2 scheduled, 1 remaining');
    expect(r.message('w3')).toBe(why);
    expect(r.message('w2')).toMatch(/^0\/1 nodes are available: 1 cannot allocate all claims\./);
    expect(r.result.counters.nodesExamined).toBe(3);
    expect(r.inUse()).toEqual([]);
  });

  it('bound members count towards minCount', async () => {
    const bound = { ...member('train', gpuPod('w0', 'gpu-1')), spec: { ...member('train', gpuPod('w0')).spec, nodeName: 'n1' } };
    const r = await run(objects(gpuClass(), gpuNode('n1', 1), GPU1, gang('train', 2), bound, member('train', gpuPod('w1'))));
    expect(r.placed).toEqual({ w0: 'n1', w1: 'n1' });
    expect(r.result.groups?.[0]).toMatchObject({ admitted: true, placed: 2 });
  });

  it('a missing PodGroup, and a gang with fewer Pods than minCount, keep their Pods pending untried', async () => {
    const r = await run(objects(gpuClass(), gpuNode('n1', 4), GPU1, gang('train', 3), member('ghost', gpuPod('lost')), ...workers('train', 2)));
    expect(r.placed).toEqual({ lost: undefined, w0: undefined, w1: undefined });
    expect(r.message('lost')).toBe('waiting for pod\'s pod group "ghost" to appear in scheduling queue');
    expect(r.message('w0')).toBe('waiting for minCount pods from a gang to appear in scheduling queue');
    expect(r.result.counters.allocations).toBe(0);
    expect(r.result.groups?.map((g) => [g.name, g.policy, g.admitted])).toEqual([['ghost', 'missing', false], ['train', 'gang', false]]);
  });

  it('basic policy: no minCount; the group is scheduled together when its first Pod comes up', async () => {
    // Input order a (group), solo, b (group): the group's cycle places a and b before solo.
    const r = await run(objects(gpuClass(), gpuNode('n1', 2), GPU1, basicGroup('g'), member('g', gpuPod('a')), gpuPod('solo'), member('g', gpuPod('b'))));
    expect(r.placed).toEqual({ a: 'n1', solo: undefined, b: 'n1' });
    expect(r.result.pods.map((p) => p.pod.metadata.name)).toEqual(['a', 'solo', 'b']);
    expect(r.result.groups).toEqual([{ namespace: 'default', name: 'g', policy: 'basic', pods: 2, placed: 2, admitted: true }]);
  });

  it('a shared claim the gang allocated is released on rollback, and its reservedFor restored', async () => {
    // w0 and w1 share claim `shared` (1 GPU); w1 also needs a 2-GPU claim n1 cannot give after w0.
    const shared = claim('shared', [gpuRequest('gpu', 1)]);
    const w0 = member('train', { ...gpuPod('w0'), spec: { ...gpuPod('w0').spec, resourceClaims: [{ name: 'gpu', resourceClaimName: 'shared' }] } });
    const w1 = member('train', { ...gpuPod('w1'), spec: { ...gpuPod('w1').spec, resourceClaims: [{ name: 'gpu', resourceClaimName: 'shared' }, { name: 'big', resourceClaimTemplateName: 'gpu-2' }] } });
    const r = await run(objects(gpuClass(), gpuNode('n1', 2), GPU1, template('gpu-2', [gpuRequest('gpu', 2)]), shared, gang('train', 2), w0, w1));
    expect(r.placed).toEqual({ w0: undefined, w1: undefined });
    expect(r.claim('shared')).toEqual(shared);
    expect(r.inUse()).toEqual([]);
  });
});

describe('gangs, --gang-search', () => {
  const SEARCH = { budget: 1000, alternatives: 4 };

  it('finds a node order upstream misses: the 4-GPU worker on the small node, the 8-GPU worker on the big one', async () => {
    // n1: 8 GPUs, n2: 4. Upstream puts `small` (4) on n1 first; `big` (8) then fits nowhere.
    const objs = objects(gpuClass(), gpuNode('n1', 8), gpuNode('n2', 4), template('gpu-4', [gpuRequest('gpu', 4)]), template('gpu-8', [gpuRequest('gpu', 8)]),
      gang('train', 2), member('train', gpuPod('small', 'gpu-4')), member('train', gpuPod('big', 'gpu-8')));
    const upstream = await run(objs);
    expect(upstream.placed).toEqual({ small: undefined, big: undefined });
    const r = await run(objs, { gangSearch: SEARCH });
    expect(r.placed).toEqual({ small: 'n2', big: 'n1' });
    expect(r.devices('small-gpu')).toEqual(['n2/gpu-0', 'n2/gpu-1', 'n2/gpu-2', 'n2/gpu-3']);
    expect(r.devices('big-gpu')).toHaveLength(8);
    expect(r.result.groups?.[0]).toMatchObject({ admitted: true, placed: 2, search: { found: true, exhausted: false } });
  });

  it('finds a device choice upstream misses: the 2-GPU worker on the broken NVLink half, leaving a whole half for the 4-GPU one', async () => {
    // n1: gpu-0..3 in NVLink domain a, gpu-4..7 in b; gpu-4 and gpu-5 are taken. Upstream gives
    // w-pair gpu-0,1; w-quad (4 GPUs, one domain) then finds 2 free in each. The search places
    // the bigger w-quad first: it takes domain a (gpu-0..3, the first 4 free of one domain), and
    // w-pair gpu-6,7.
    const domain = (i: number) => ({ nvlink: { string: i < 4 ? 'a' : 'b' } });
    const quad = template('quad', [gpuRequest('gpu', 4)]);
    quad.spec.spec.devices!.constraints = [{ requests: ['gpu'], matchAttribute: `${DRIVER}/nvlink` }];
    const objs = objects(gpuClass(), gpuNode('n1', 8, { attributes: domain }), template('pair', [gpuRequest('gpu', 2)]), quad, allocatedClaim('taken', 'n1', ['gpu-4', 'gpu-5']),
      gang('train', 2), member('train', gpuPod('w-pair', 'pair')), member('train', gpuPod('w-quad', 'quad')));
    expect((await run(objs)).placed).toEqual({ 'w-pair': undefined, 'w-quad': undefined });
    const r = await run(objs, { gangSearch: SEARCH });
    expect(r.devices('w-pair-gpu')).toEqual(['n1/gpu-6', 'n1/gpu-7']);
    expect(r.devices('w-quad-gpu')).toEqual(['n1/gpu-0', 'n1/gpu-1', 'n1/gpu-2', 'n1/gpu-3']);
    expect(r.inUse()).toEqual(['n1/gpu-0', 'n1/gpu-1', 'n1/gpu-2', 'n1/gpu-3', 'n1/gpu-4', 'n1/gpu-5', 'n1/gpu-6', 'n1/gpu-7']);
  });

  it('tries other devices on the same node: the first answer blocked, the allocator asked again', async () => {
    // n1: 4 GPUs, gpu-0 and gpu-1 are `fast`. `any` (2 GPUs) comes first, in the input and in the
    // search (equal sizes: by spec, template a-any-2 < b-fast-2); `fast` needs 2 fast GPUs.
    // Upstream: any gets gpu-0,1, fast fits nowhere. Search steps: any on n1 (1: gpu-0,1), fast
    // (2: none); any's second choice with gpu-0,1 blocked (3: gpu-2,3); fast (4: gpu-0,1).
    const fast = (i: number) => ({ fast: { string: i < 2 ? 'yes' : 'no' } });
    const fastTpl = template('b-fast-2', [gpuRequest('gpu', 2, { selectors: [{ cel: { expression: `device.attributes["${DRIVER}"].fast == "yes"` } }] })]);
    const objs = objects(gpuClass(), gpuNode('n1', 4, { attributes: fast }), template('a-any-2', [gpuRequest('gpu', 2)]), fastTpl,
      gang('train', 2), member('train', gpuPod('any', 'a-any-2')), member('train', gpuPod('fast', 'b-fast-2')));
    expect((await run(objs)).placed).toEqual({ any: undefined, fast: undefined });
    const r = await run(objs, { gangSearch: SEARCH });
    expect(r.devices('any-gpu')).toEqual(['n1/gpu-2', 'n1/gpu-3']);
    expect(r.devices('fast-gpu')).toEqual(['n1/gpu-0', 'n1/gpu-1']);
    expect(r.result.groups?.[0].search).toEqual({ steps: 4, found: true, exhausted: false });
    // With one device choice per node the search cannot find it.
    const one = await run(objs, { gangSearch: { budget: 1000, alternatives: 1 } });
    expect(one.result.groups?.[0].search).toEqual({ steps: 2, found: false, exhausted: false });
    expect(one.inUse()).toEqual([]);
  });

  // n1, n2: 4 GPUs each; a 4-GPU and an 8-GPU worker can never both fit. The search takes the
  // biggest Pod first. Steps (a node tried for a Pod): big on n1 (1), on n2 (2), nowhere; leaving
  // it out leaves 1 Pod for minCount 2 → no placement, 2 steps.
  const impossible = () => objects(gpuClass(), gpuNode('n1', 4), gpuNode('n2', 4), template('gpu-4', [gpuRequest('gpu', 4)]), template('gpu-8', [gpuRequest('gpu', 8)]),
    gang('train', 2), member('train', gpuPod('small', 'gpu-4')), member('train', gpuPod('big', 'gpu-8')));

  it('says when no placement exists, with the steps it took', async () => {
    const r = await run(impossible(), { gangSearch: SEARCH });
    const why = notAdmitted('minCount (2) cannot be satisfied: 1 scheduled, 0 remaining; the gang search found no placement for 2 Pods in 2 steps (every node, and up to 4 device choices per node, for each Pod)');
    expect(r.message('small')).toBe(why);
    expect(r.result.groups?.[0].search).toEqual({ steps: 2, found: false, exhausted: false });
    expect(r.inUse()).toEqual([]);
  });

  it('says when the budget, not infeasibility, ended the search', async () => {
    const r = await run(impossible(), { gangSearch: { budget: 1, alternatives: 4 } });
    expect(r.message('small')).toBe(notAdmitted('minCount (2) cannot be satisfied: 1 scheduled, 0 remaining; the gang search stopped at its budget of 1 steps before finding a placement (--gang-search-budget)'));
    expect(r.result.groups?.[0].search).toEqual({ steps: 1, found: false, exhausted: true });
    expect(r.inUse()).toEqual([]);
  });

  it('changes nothing where the upstream cycle admits the gang', async () => {
    const objs = objects(gpuClass(), gpuNode('n1', 2), gpuNode('n2', 1), GPU1, gang('train', 3), ...workers('train', 3));
    const a = await run(objs);
    const b = await run(objs, { gangSearch: SEARCH });
    expect(b.result.pods).toEqual(a.result.pods);
    expect(b.result.claims).toEqual(a.result.claims);
    expect(b.result.groups?.[0].search).toBeUndefined();
  });
});
