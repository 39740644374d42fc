/**
 * `schedule()` on small hand-checked clusters. Every expected placement is worked out by hand
 * from the rules at the top of src/schedule/scheduler.ts: Pods by priority then input order;
 * `upstream` filters nodes from a start index that rotates by the nodes examined per Pod and
 * takes the first node with the best prioritized-list score (Σ 8 − subrequest index); `pack`
 * tries nodes with the fewest free devices for the Pod first. Devices inside a node are taken
 * in slice order (gpu-0 first), as upstream's allocator does. Unschedulable messages follow
 * kube-scheduler's FitError: "0/N nodes are available: " + the "count reason" strings sorted
 * as strings, joined by ", ", then "."; a node reports the first filter that rejects it in
 * kube-scheduler's order (NodeUnschedulable, TaintToleration, NodeAffinity, …, DynamicResources).
 */
import { describe, it, expect } from 'vitest';
import { Engine } from '../../src/engine.js';
import { schedule, type ScheduleResult, type Strategy } from '../../src/schedule/scheduler.js';
import { numFeasibleNodesToFind } from '../../src/schedule/order.js';
import type { DraObject, ResourceClaim } from '../../src/model/types.js';
import { allocatedClaim, claim, gpuClass, gpuNode, gpuPod, gpuRequest, namespace, objects, pod, template } from '../fixtures/schedule/build.js';

interface Run {
  result: ScheduleResult;
  /** Pod name → node (undefined when unschedulable). */
  placed: Record<string, string | undefined>;
  /** kube-scheduler's FitError sentence of an unschedulable Pod's message (dralloc may explain more after it). */
  fitError: (pod: string) => string | undefined;
  message: (pod: string) => string | undefined;
  claim: (name: string) => ResourceClaim;
  /** `pool/device` of every result of a claim, in order. */
  devices: (claimName: string) => string[];
}

async function run(objs: DraObject[], strategy: Strategy = 'upstream', featureGates?: string): Promise<Run> {
  const engine = await Engine.create({ objects: objs, featureGates });
  const result = schedule(engine, objs, { strategy });
  const placed = Object.fromEntries(result.pods.map((p) => [p.pod.metadata.name, p.node]));
  const claimOf = (name: string) => {
    const found = result.claims.filter((c) => c.metadata.name === name);
    expect(found, `claims named ${name}`).toHaveLength(1);
    return found[0];
  };
  const message = (name: string) => result.pods.find((p) => p.pod.metadata.name === name)?.message;
  return {
    result,
    placed,
    fitError: (name) => message(name)?.match(/^0\/\d+ nodes are available[^.]*\./)?.[0],
    message,
    claim: claimOf,
    devices: (name) => (claimOf(name).status?.allocation?.devices?.results ?? []).map((r) => `${r.pool}/${r.device}`),
  };
}

const GPU1 = template('gpu-1', [gpuRequest('gpu', 1)]);
/** Every GPU of the node is of model `m`. */
const model = (m: string) => () => ({ model: { string: m } });
/** firstAvailable: an A100 (score 8), else any GPU (score 7). */
const FA = template('fa', [
  {
    name: 'gpu',
    firstAvailable: [
      { name: 'a100', deviceClassName: 'gpu', selectors: [{ cel: { expression: 'device.attributes["gpu.example.com"].model == "A100"' } }] },
      { name: 'any', deviceClassName: 'gpu' },
    ],
  },
]);
/** n1 has one T4, n2 one A100. */
const T4_AND_A100 = () => [gpuNode('n1', 1, { attributes: model('T4') }), gpuNode('n2', 1, { attributes: model('A100') })];

describe('schedule: order and carry-over', () => {
  it('takes Pods by priority, then input order; each sees the devices earlier ones took', { timeout: 60_000 }, async () => {
    // One node, two GPUs, three one-GPU Pods: p-high (10) and p-mid (5) win, p-low (first in input) loses.
    const r = await run(objects(gpuClass(), gpuNode('n1', 2), GPU1, gpuPod('p-low'), gpuPod('p-high', 'gpu-1', { priority: 10 }), gpuPod('p-mid', 'gpu-1', { priority: 5 })));
    expect(r.result.pods.map((p) => p.pod.metadata.name)).toEqual(['p-high', 'p-mid', 'p-low']);
    expect(r.placed).toEqual({ 'p-high': 'n1', 'p-mid': 'n1', 'p-low': undefined });
    expect(r.devices('p-high-gpu')).toEqual(['n1/gpu-0']);
    expect(r.devices('p-mid-gpu')).toEqual(['n1/gpu-1']);
    expect(r.fitError('p-low')).toBe('0/1 nodes are available: 1 cannot allocate all claims.');
  });

  it('equal priorities keep input order', async () => {
    const r = await run(objects(gpuClass(), gpuNode('n1', 1), GPU1, gpuPod('b', 'gpu-1', { priority: 3 }), gpuPod('a', 'gpu-1', { priority: 3 })));
    expect(r.placed).toEqual({ b: 'n1', a: undefined });
  });

  it('claims allocated in the input are in use: a Pod gets the device left over', async () => {
    const r = await run(objects(gpuClass(), gpuNode('n1', 3), allocatedClaim('old', 'n1', ['gpu-0', 'gpu-2']), GPU1, gpuPod('p1'), gpuPod('p2')));
    expect(r.devices('p1-gpu')).toEqual(['n1/gpu-1']);
    expect(r.placed.p2).toBeUndefined();
  });

  it('the scheduled Pod is bound (spec.nodeName) and its claim reserved for it', async () => {
    const r = await run(objects(gpuClass(), gpuNode('n1', 1), GPU1, gpuPod('p1')));
    expect(r.result.pods[0].pod.spec.nodeName).toBe('n1');
    expect(r.claim('p1-gpu').status?.reservedFor).toEqual([{ resource: 'pods', name: 'p1', uid: 'uid-p1' }]);
    expect(r.claim('p1-gpu').status?.allocation?.nodeSelector).toEqual({
      nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }],
    });
  });
});

describe('schedule: upstream node order (rotating start index)', () => {
  it('starts each Pod after the nodes the previous Pod examined', async () => {
    // 3 nodes × 2 GPUs, 4 Pods: start 0 → n1 (examined 1), start 1 → n2, start 2 → n3, start 0 → n1.
    const r = await run(objects(gpuClass(), gpuNode('n1', 2), gpuNode('n2', 2), gpuNode('n3', 2), GPU1, ['p1', 'p2', 'p3', 'p4'].map((n) => gpuPod(n))));
    expect(r.placed).toEqual({ p1: 'n1', p2: 'n2', p3: 'n3', p4: 'n1' });
    expect(r.devices('p4-gpu')).toEqual(['n1/gpu-1']);
    expect(r.result.counters.nodesExamined).toBe(4);
  });

  it('an unschedulable Pod examines every node, so the start stays where it was', async () => {
    // 2 nodes × 1 GPU: a → n1 (start 1), b → n2 (start 0), c examines 2 (start 0), d (1 GPU, none left) too.
    const r = await run(objects(gpuClass(), gpuNode('n1', 1), gpuNode('n2', 1), GPU1, ['a', 'b', 'c'].map((n) => gpuPod(n))));
    expect(r.placed).toEqual({ a: 'n1', b: 'n2', c: undefined });
    expect(r.result.counters.nodesExamined).toBe(1 + 1 + 2);
    expect(r.fitError('c')).toBe('0/2 nodes are available: 2 cannot allocate all claims.');
  });

  it('prefers the node where a higher firstAvailable subrequest fits (score 8 − index)', async () => {
    // n1: one T4, n2: one A100. Request [a100, any]. p1 from start 0: n1 scores 7 (any), n2 scores 8
    // (a100, the maximum: stop) → n2; examined 2, start stays 0. p2: n1 scores 7, n2 is full → n1.
    const r = await run(objects(gpuClass(), T4_AND_A100(), FA, gpuPod('p1', 'fa'), gpuPod('p2', 'fa')));
    expect(r.placed).toEqual({ p1: 'n2', p2: 'n1' });
    expect(r.claim('p1-gpu').status?.allocation?.devices?.results?.[0].request).toBe('gpu/a100');
    expect(r.claim('p2-gpu').status?.allocation?.devices?.results?.[0].request).toBe('gpu/any');
  });

  it('numFeasibleNodesToFind: all nodes below 100, else 50% − nodes/125 (≥ 5%), never fewer than 100', () => {
    expect(numFeasibleNodesToFind(1)).toBe(1);
    expect(numFeasibleNodesToFind(99)).toBe(99);
    expect(numFeasibleNodesToFind(100)).toBe(100); // 50% of 100 = 50 → raised to 100
    expect(numFeasibleNodesToFind(150)).toBe(100); // 49% of 150 = 73 → 100
    expect(numFeasibleNodesToFind(1000)).toBe(420); // 50 − 8 = 42%
    expect(numFeasibleNodesToFind(2000)).toBe(680); // 50 − 16 = 34%
    expect(numFeasibleNodesToFind(5000)).toBe(500); // 50 − 40 = 10%
    expect(numFeasibleNodesToFind(6000)).toBe(300); // 50 − 48 = 2% → 5%
    expect(numFeasibleNodesToFind(5000, 20)).toBe(1000);
    expect(numFeasibleNodesToFind(5000, 100)).toBe(5000);
  });
});

describe('schedule: strategies on a fragmented cluster', () => {
  // n1: 4 GPUs, 3 in use; n2: 4 free; n3: 4 GPUs, 2 in use. Pods: a (1), a2 (1), big (4).
  const cluster = () =>
    objects(
      gpuClass(),
      gpuNode('n1', 4),
      gpuNode('n2', 4),
      gpuNode('n3', 4),
      allocatedClaim('old-1', 'n1', ['gpu-0', 'gpu-1', 'gpu-2']),
      allocatedClaim('old-3', 'n3', ['gpu-0', 'gpu-1']),
      GPU1,
      template('gpu-4', [gpuRequest('gpu', 4)]),
      gpuPod('a'),
      gpuPod('a2'),
      gpuPod('big', 'gpu-4'),
    );

  it('upstream: a → n1 (start 0), a2 → n2 (start 1), big finds no node with 4 free', async () => {
    const r = await run(cluster(), 'upstream');
    expect(r.placed).toEqual({ a: 'n1', a2: 'n2', big: undefined });
    expect(r.devices('a-gpu')).toEqual(['n1/gpu-3']);
    expect(r.devices('a2-gpu')).toEqual(['n2/gpu-0']);
    expect(r.fitError('big')).toBe('0/3 nodes are available: 3 cannot allocate all claims.');
  });

  it('pack: fullest node first — a → n1 (1 free), a2 → n3 (2 free), big → n2', async () => {
    const r = await run(cluster(), 'pack');
    expect(r.placed).toEqual({ a: 'n1', a2: 'n3', big: 'n2' });
    expect(r.devices('a2-gpu')).toEqual(['n3/gpu-2']);
    expect(r.devices('big-gpu')).toEqual(['n2/gpu-0', 'n2/gpu-1', 'n2/gpu-2', 'n2/gpu-3']);
  });

  it('pack: ties in free devices keep node input order', async () => {
    // 3 empty nodes × 2 GPUs: p1 → n1 (all 2 free), p2 → n1 (1 free), p3 → n2, p4 → n2.
    const r = await run(objects(gpuClass(), gpuNode('n1', 2), gpuNode('n2', 2), gpuNode('n3', 2), GPU1, ['p1', 'p2', 'p3', 'p4'].map((n) => gpuPod(n))), 'pack');
    expect(r.placed).toEqual({ p1: 'n1', p2: 'n1', p3: 'n2', p4: 'n2' });
  });

  it('pack: still takes the node with the best DRA score, not just the fullest', async () => {
    // n1 has one T4 (0 A100 free: first in pack order), n2 one A100. [a100, any]: n1 scores 7, n2 8 → n2.
    const r = await run(objects(gpuClass(), T4_AND_A100(), FA, gpuPod('p1', 'fa')), 'pack');
    expect(r.placed).toEqual({ p1: 'n2' });
    expect(r.claim('p1-gpu').status?.allocation?.devices?.results?.[0].request).toBe('gpu/a100');
  });
});

describe('schedule: shared claims (resourceClaimName)', () => {
  // n1, n2 × 1 GPU. p1 and p2 share claim `shared`; p3 uses it plus a template claim.
  const cluster = () =>
    objects(
      gpuClass(),
      gpuNode('n1', 1),
      gpuNode('n2', 1),
      claim('shared', [gpuRequest('gpu')]),
      GPU1,
      pod('p1', { claims: [{ name: 'g', claim: 'shared' }] }),
      pod('p2', { claims: [{ name: 'g', claim: 'shared' }] }),
      pod('p3', { claims: [{ name: 'g', claim: 'shared' }, { name: 'gpu', template: 'gpu-1' }] }),
    );

  it('is allocated once, reserved for both Pods, and the second Pod follows its node selector', async () => {
    const r = await run(cluster());
    // p1: start 0 → n1. p2: start 1 → n2 rejected (allocation pinned to n1) → n1.
    expect(r.placed.p1).toBe('n1');
    expect(r.placed.p2).toBe('n1');
    expect(r.devices('shared')).toEqual(['n1/gpu-0']);
    expect(r.claim('shared').status?.reservedFor?.map((x) => x.name)).toEqual(['p1', 'p2']);
    expect(r.result.counters.allocations).toBe(1); // p2 and p3 never allocate `shared` again
  });

  it('a Pod with the shared claim and a new one: the pinned node is full, the other does not match', async () => {
    const r = await run(cluster());
    expect(r.placed.p3).toBeUndefined();
    expect(r.fitError('p3')).toBe('0/2 nodes are available: 1 cannot allocate all claims, 1 resourceclaim not available on the node.');
    expect(r.claim('shared').status?.reservedFor?.map((x) => x.name)).toEqual(['p1', 'p2']);
    expect(r.claim('p3-gpu').status?.allocation).toBeUndefined();
  });

  it('a missing claim is the Pod’s message, not an error', async () => {
    const r = await run(objects(gpuClass(), gpuNode('n1', 1), pod('p1', { claims: [{ name: 'g', claim: 'nope' }] })));
    expect(r.message('p1')).toBe('pod default/p1: resourceclaim "nope" not found');
  });
});

describe('schedule: claims from templates', () => {
  it('stamps <pod>-<claim> owned by the Pod, and reuses a claim of that name instead of stamping a twin', async () => {
    const given = claim('p2-gpu', [gpuRequest('gpu', 2)]); // the template asks 1: 2 devices prove this claim was used
    const r = await run(objects(gpuClass(), gpuNode('n1', 4), GPU1, given, gpuPod('p1'), gpuPod('p2')));
    expect(r.result.claims.map((c) => c.metadata.name)).toEqual(['p2-gpu', 'p1-gpu']);
    expect(r.devices('p1-gpu')).toEqual(['n1/gpu-0']);
    expect(r.devices('p2-gpu')).toEqual(['n1/gpu-1', 'n1/gpu-2']);
    const stamped = r.claim('p1-gpu');
    expect((stamped.metadata.ownerReferences as object[] | undefined)?.[0]).toMatchObject({ kind: 'Pod', name: 'p1', uid: 'uid-p1', controller: true });
    expect(stamped.metadata.annotations?.['resource.kubernetes.io/pod-claim-name']).toBe('gpu');
  });

  it('a missing template is the Pod’s message', async () => {
    const r = await run(objects(gpuClass(), gpuNode('n1', 1), gpuPod('p1', 'nope')));
    expect(r.message('p1')).toBe('pod default/p1: resourceclaimtemplate "nope" not found');
  });
});

describe('schedule: extended resources backed by DRA', () => {
  const cls = gpuClass({ extendedResourceName: 'example.com/gpu' });

  it('a Pod asking example.com/gpu: 2 gets a claim with request container-0-request-0, count 2', async () => {
    const r = await run(objects(cls, gpuNode('n1', 4), pod('p1', { requests: { 'example.com/gpu': '2' } })));
    expect(r.placed.p1).toBe('n1');
    const c = r.claim('p1-extended-resources');
    expect(c.spec.devices?.requests).toEqual([{ name: 'container-0-request-0', exactly: { deviceClassName: 'gpu', allocationMode: 'ExactCount', count: 2 } }]);
    expect(c.metadata.annotations?.['resource.kubernetes.io/extended-resource-claim']).toBe('true');
    expect(r.devices('p1-extended-resources')).toEqual(['n1/gpu-0', 'n1/gpu-1']);
  });

  it('the request index counts every resource of the container in sorted order (cpu before example.com/gpu)', async () => {
    const r = await run(objects(cls, gpuNode('n1', 4), pod('p1', { requests: { 'example.com/gpu': '1', cpu: '1' } })));
    expect(r.claim('p1-extended-resources').spec.devices?.requests?.[0].name).toBe('container-0-request-1');
  });

  it('the implicit name deviceclass.resource.kubernetes.io/<class> works too', async () => {
    const r = await run(objects(gpuClass(), gpuNode('n1', 4), pod('p1', { requests: { 'deviceclass.resource.kubernetes.io/gpu': '3' } })));
    expect(r.devices('p1-extended-resources')).toEqual(['n1/gpu-0', 'n1/gpu-1', 'n1/gpu-2']);
  });

  it('a node advertising example.com/gpu (device plugin) is not used for DRA', async () => {
    // p1 from start 0 → n1 via its device plugin: no claim, no device. p2 from start 1 → n2 through DRA.
    const r = await run(objects(cls, gpuNode('n1', 4, { allocatable: { 'example.com/gpu': '4' } }), gpuNode('n2', 4), pod('p1', { requests: { 'example.com/gpu': '2' } }), pod('p2', { requests: { 'example.com/gpu': '2' } })));
    expect(r.placed).toEqual({ p1: 'n1', p2: 'n2' });
    expect(r.result.claims.map((c) => c.metadata.name)).toEqual(['p2-extended-resources']);
    expect(r.devices('p2-extended-resources')).toEqual(['n2/gpu-0', 'n2/gpu-1']);
  });
});

describe('schedule: node filters and unschedulable reasons', () => {
  // n1 zone a; n2 zone b tainted dedicated=ml:NoSchedule; n3 zone b unschedulable; n4 zone b;
  // n5 zone b with a PreferNoSchedule taint (never filters). One GPU each.
  const cluster = (...pods: DraObject[]) =>
    objects(
      gpuClass(),
      gpuNode('n1', 1, { labels: { zone: 'a' } }),
      gpuNode('n2', 1, { labels: { zone: 'b' }, taints: [{ key: 'dedicated', value: 'ml', effect: 'NoSchedule' }] }),
      gpuNode('n3', 1, { labels: { zone: 'b' }, unschedulable: true }),
      gpuNode('n4', 1, { labels: { zone: 'b' } }),
      gpuNode('n5', 1, { labels: { zone: 'b' }, taints: [{ key: 'soft', value: 'x', effect: 'PreferNoSchedule' }] }),
      GPU1,
      pods,
    );
  const zoneB = { nodeSelector: { zone: 'b' } };

  it('nodeSelector, taints, tolerations, unschedulable nodes and required node affinity, in rotation', async () => {
    const r = await run(
      cluster(
        gpuPod('p1', 'gpu-1', zoneB), // start 0: n1 selector, n2 taint, n3 unschedulable, n4 ✓ (start → 4)
        gpuPod('p2', 'gpu-1', { ...zoneB, tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'ml', effect: 'NoSchedule' }] }), // start 4: n5 ✓ (start → 0)
        gpuPod('p3', 'gpu-1', { ...zoneB, tolerations: [{ operator: 'Exists' }] }), // start 0: n1 selector, n2 ✓ tolerated (start → 2)
        gpuPod('p4', 'gpu-1', {
          affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }] } } },
        }), // start 2: n3, n4, n5 rejected, n1 ✓ (start → 1)
        gpuPod('p5', 'gpu-1', zoneB), // every node: n2 taint, n3 unschedulable, n4 + n5 full, n1 selector
      ),
    );
    expect(r.placed).toEqual({ p1: 'n4', p2: 'n5', p3: 'n2', p4: 'n1', p5: undefined });
    expect(r.fitError('p5')).toBe("0/5 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had untolerated taint {dedicated: ml}, 1 node(s) were unschedulable, 2 cannot allocate all claims.",
    );
  });

  it('a node failing both the taint and the selector reports the taint (TaintToleration filters before NodeAffinity)', async () => {
    const r = await run(cluster(gpuPod('p', 'gpu-1', { nodeSelector: { zone: 'c' } })));
    expect(r.fitError('p')).toBe("0/5 nodes are available: 1 node(s) had untolerated taint {dedicated: ml}, 1 node(s) were unschedulable, 3 node(s) didn't match Pod's node affinity/selector.",
    );
  });

  it('reasons sort as "count reason" strings, so 10 sorts before 2 (Go sort.Strings)', async () => {
    // 10 nodes in zone a (selector mismatch) and 2 zone-b nodes without free GPUs.
    const nodes = Array.from({ length: 10 }, (_, i) => gpuNode(`a${i}`, 1, { labels: { zone: 'a' } }));
    const r = await run(objects(gpuClass(), nodes, gpuNode('b0', 0, { labels: { zone: 'b' } }), gpuNode('b1', 0, { labels: { zone: 'b' } }), GPU1, gpuPod('p', 'gpu-1', zoneB)));
    expect(r.fitError('p')).toBe("0/12 nodes are available: 10 node(s) didn't match Pod's node affinity/selector, 2 cannot allocate all claims.");
  });
});

describe('schedule: admin access needs the namespace label', () => {
  const adminClaim = (ns: string) => claim('admin', [gpuRequest('gpu', 1, { adminAccess: true })], ns);
  const adminPod = (ns: string) => pod(`p-${ns}`, { namespace: ns, claims: [{ name: 'g', claim: 'admin' }] });

  it('labelled namespace: allowed, and the device stays available to ordinary claims', async () => {
    const r = await run(objects(gpuClass(), gpuNode('n1', 1), namespace('ops', { 'resource.kubernetes.io/admin-access': 'true' }), adminClaim('ops'), adminPod('ops'), GPU1, gpuPod('p1')));
    expect(r.placed).toEqual({ 'p-ops': 'n1', p1: 'n1' });
    expect(r.claim('admin').status?.allocation?.devices?.results?.[0]).toMatchObject({ device: 'gpu-0', adminAccess: true });
    expect(r.devices('p1-gpu')).toEqual(['n1/gpu-0']);
  });

  it('namespace in the input without the label: unschedulable with the reason', async () => {
    const r = await run(objects(gpuClass(), gpuNode('n1', 1), namespace('dev'), adminClaim('dev'), adminPod('dev')));
    expect(r.placed['p-dev']).toBeUndefined();
    expect(r.message('p-dev')).toBe('claim dev/admin: admin access to devices requires the resource.kubernetes.io/admin-access: "true" label on namespace dev');
  });

  it('namespace not in the input: allowed (nothing to check against)', async () => {
    const r = await run(objects(gpuClass(), gpuNode('n1', 1), adminClaim('other'), adminPod('other')));
    expect(r.placed['p-other']).toBe('n1');
  });
});
