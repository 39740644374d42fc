/**
 * The live scheduler's claim lifecycle against the fake API server: a 409 on a claim status
 * write forced deterministically (another writer allocates the claim right before dralloc's PUT
 * lands), and --manage-claims releasing the claims of deleted or finished Pods.
 */

import { afterEach, describe, expect, it } from 'vitest';
import { LiveScheduler } from '../../src/k8s/live-scheduler.js';
import type { FakeApiServer, Obj } from './fake-apiserver.js';
import { deviceOwners, gpuClass, gpuNode, gpuPod, gpuTemplate, startCluster, until } from './cluster.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A cluster of one node `node-0` with `gpus` devices, class `gpu`, templates `one` and `two`, and a running scheduler. */
async function oneNode(gpus: number) {
  const e = await startCluster();
  cleanups.push(() => e.server.close());
  for (const o of gpuNode('node-0', gpus)) e.server.create(o);
  e.server.create(gpuClass);
  e.server.create(gpuTemplate('one', 1));
  e.server.create(gpuTemplate('two', 2));
  const s = await LiveScheduler.start(e.cluster, { schedulerName: 'dralloc', manageClaims: true, resyncMs: 200, retryMs: 20 });
  cleanups.push(() => s.stop());
  return { ...e, s };
}

/** A Pod of ours with claims `a` and `b`, each from template `one`, plus `extra` claim references. */
function twoClaimPod(name: string, extra: Obj[] = []): Obj {
  const pod = gpuPod(name, 'one', 'dralloc');
  pod.spec.resourceClaims = [{ name: 'a', resourceClaimTemplateName: 'one' }, { name: 'b', resourceClaimTemplateName: 'one' }, ...extra];
  return pod;
}

const devicesOf = (s: FakeApiServer, claim: string): string[] =>
  (s.get('ResourceClaim', claim, 'default')?.status?.allocation?.devices?.results ?? []).map((r: { device: string }) => r.device).sort();
const nodeOf = (s: FakeApiServer, pod: string): string | undefined => s.get('Pod', pod, 'default')?.spec.nodeName;
const doubles = (s: FakeApiServer) => [...deviceOwners(s).entries()].filter(([, o]) => o.length > 1);
const scheduledCondition = (s: FakeApiServer, pod: string) =>
  s.get('Pod', pod, 'default')?.status?.conditions?.find((c: { type: string }) => c.type === 'PodScheduled');

describe('live scheduler: claim conflicts and releases', () => {
  it('a 409 on a claim status write: adopts the other writer\'s allocation, rolls back its own write, retries and binds', async () => {
    const { server, s } = await oneNode(4);
    const uid = server.create(twoClaimPod('p')).metadata.uid;
    // Every status PUT in order: which claim, and whether it carries an allocation.
    const puts: { claim: string; devices: string[] }[] = [];
    let conflicted = false;
    let allocatingPuts = 0;
    server.beforeWrite((w) => {
      if (w.method !== 'PUT' || w.plural !== 'resourceclaims' || w.sub !== 'status') return;
      const allocation = w.body?.status?.allocation;
      puts.push({ claim: w.name!, devices: (allocation?.devices?.results ?? []).map((r: { device: string }) => r.device) });
      if (!allocation || ++allocatingPuts !== 2) return;
      // The second allocating write of the first attempt: another scheduler gets there first,
      // allocating this claim to gpu-3 (same node, other device) and reserving it for p.
      const claim = server.get('ResourceClaim', w.name!, 'default')!;
      const results = [{ ...allocation.devices.results[0], device: 'gpu-3' }];
      server.update({ ...claim, status: { allocation: { ...allocation, devices: { ...allocation.devices, results } }, reservedFor: [{ resource: 'pods', name: 'p', uid }] } });
      conflicted = true;
    });
    await until('p bound', () => nodeOf(server, 'p') === 'node-0', 8000);
    expect(conflicted).toBe(true);
    const [first, second] = [puts[0].claim, puts[1].claim];
    expect(new Set([first, second])).toEqual(new Set(['p-a', 'p-b']));
    // dralloc's own choice for the second claim was not gpu-3: adopting the other one is visible.
    expect(puts[1].devices).not.toContain('gpu-3');
    // Attempt 1: first allocated, second conflicted (409), first rolled back (no allocation);
    // attempt 2: first allocated again, the second already allocated and reserved: not written.
    expect(puts.map((p) => [p.claim, p.devices.length > 0])).toEqual([[first, true], [second, true], [first, false], [first, true]]);
    expect(server.stats.conflicts).toBe(1);
    expect(s.stats.conflicts).toBe(1);
    expect(s.stats.rollbacks).toBe(1);
    // The other writer's allocation stands (adopted, not overwritten); ours went elsewhere.
    expect(devicesOf(server, second)).toEqual(['gpu-3']);
    expect(devicesOf(server, first)).toHaveLength(1);
    expect(devicesOf(server, first)).not.toEqual(['gpu-3']);
    for (const c of ['p-a', 'p-b']) expect(server.get('ResourceClaim', c, 'default')!.status.reservedFor).toEqual([{ resource: 'pods', name: 'p', uid }]);
    expect(doubles(server)).toEqual([]);
    await until('engine agrees with the caches', () => s.consistency() === undefined);
    // The engine holds exactly what the API holds: the 2 devices left fit a two-GPU Pod, and
    // then a one-GPU Pod fits nowhere (worked out: 4 devices − p's 2 − q's 2 = 0).
    server.create(gpuPod('q', 'two', 'dralloc'));
    await until('q bound', () => nodeOf(server, 'q') === 'node-0', 8000);
    expect([...devicesOf(server, 'p-a'), ...devicesOf(server, 'p-b'), ...devicesOf(server, 'q-gpu')].sort()).toEqual(['gpu-0', 'gpu-1', 'gpu-2', 'gpu-3']);
    server.create(gpuPod('r', 'one', 'dralloc'));
    await until('r reported unschedulable', () => scheduledCondition(server, 'r')?.status === 'False', 8000);
    // kube-scheduler's FitError text, then dralloc's explanation of the claim.
    expect(scheduledCondition(server, 'r').message).toBe(
      '0/1 nodes are available: 1 cannot allocate all claims. claim default/r-gpu cannot be allocated on node node-0: request gpu: every matching device is already allocated.',
    );
    expect(devicesOf(server, 'r-gpu')).toEqual([]);
    expect(doubles(server)).toEqual([]);
  }, 10_000);

  it('--manage-claims: a deleted or finished Pod\'s claims are released and their devices reused', async () => {
    // 3 devices: the shared claim takes one, p's and q's own claims one each.
    const { server, s } = await oneNode(3);
    server.create({ apiVersion: 'resource.k8s.io/v1', kind: 'ResourceClaim', metadata: { name: 'shared', namespace: 'default' }, spec: { devices: { requests: [{ name: 'gpu', exactly: { deviceClassName: 'gpu' } }] } } });
    const sharing = (name: string) => {
      const pod = gpuPod(name, 'one', 'dralloc');
      pod.spec.resourceClaims.push({ name: 's', resourceClaimName: 'shared' });
      return server.create(pod).metadata.uid as string;
    };
    const pUid = sharing('p');
    const qUid = sharing('q');
    await until('p and q bound', () => nodeOf(server, 'p') === 'node-0' && nodeOf(server, 'q') === 'node-0');
    const reservations = () => server.get('ResourceClaim', 'shared', 'default')!.status?.reservedFor?.map((r: { uid: string }) => r.uid).sort();
    expect(reservations()).toEqual([pUid, qUid].sort());
    const pDevice = devicesOf(server, 'p-gpu');
    const sharedDevice = devicesOf(server, 'shared');
    server.create(gpuPod('r', 'one', 'dralloc'));
    await until('r reported unschedulable', () => scheduledCondition(server, 'r')?.status === 'False');

    // p is deleted: its generated claim goes, the shared claim keeps q's reservation and its device.
    server.remove('Pod', 'p', 'default');
    await until('r bound', () => nodeOf(server, 'r') === 'node-0');
    expect(server.get('ResourceClaim', 'p-gpu', 'default')).toBeUndefined();
    expect(reservations()).toEqual([qUid]);
    expect(devicesOf(server, 'shared')).toEqual(sharedDevice);
    expect(devicesOf(server, 'r-gpu')).toEqual(pDevice);

    // q fails: its claim goes, and the shared claim, now reserved for nobody, is deallocated.
    const q = server.get('Pod', 'q', 'default')!;
    const qDevice = devicesOf(server, 'q-gpu');
    server.update({ ...q, status: { ...q.status, phase: 'Failed' } });
    await until('q\'s claim deleted and the shared claim deallocated', () => !server.get('ResourceClaim', 'q-gpu', 'default') && !server.get('ResourceClaim', 'shared', 'default')!.status?.allocation);
    expect(server.get('ResourceClaim', 'shared', 'default')!.status?.reservedFor).toBeUndefined();
    expect(server.get('Pod', 'q', 'default')).toBeDefined(); // the Pod itself stays (kubelet/GC's business)
    // Both freed devices can be allocated again: a two-GPU Pod gets exactly them.
    server.create(gpuPod('t', 'two', 'dralloc'));
    await until('t bound', () => nodeOf(server, 't') === 'node-0');
    expect(devicesOf(server, 't-gpu')).toEqual([...qDevice, ...sharedDevice].sort());
    expect(doubles(server)).toEqual([]);
    expect(s.stats.claimsDeleted).toBe(2);
    expect(s.stats.claimsDeallocated).toBe(3); // p-gpu and q-gpu (before their deletion, as upstream), and shared
    await until('engine agrees with the caches', () => s.consistency() === undefined);
  }, 10_000);
});
