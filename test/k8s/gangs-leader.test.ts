/**
 * A gang's leader lost in the middle of the group: two `dralloc scheduler` replicas elect a
 * leader (lease 1.5 s, renew deadline 1 s, retry 200 ms); the leader is killed (no release, as
 * SIGKILL) between writing the group's claims and binding all members. The new leader must
 * finish the group — or, when the group can no longer be admitted, give its claims back.
 *
 * Expected by hand: 2 nodes × 4 GPUs = 8; a gang of 3 members × 2 GPUs (minCount 3) fits with
 * 2 GPUs to spare. Always: no device in two claims, no unbound Pod holding an allocated claim
 * reserved for it (`violations`), each member bound by exactly one binding.
 */

import { afterEach, describe, expect, it } from 'vitest';
import { LiveScheduler } from '../../src/k8s/live-scheduler.js';
import { gpuClass, gpuNode, gpuPod, gpuTemplate, startCluster, until, violations } from './cluster.js';
import type { FakeApiServer, Obj, WriteRequest } from './fake-apiserver.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const LEASE = { name: 'dralloc', namespace: 'kube-system', leaseDurationMs: 1_500, renewDeadlineMs: 1_000, retryPeriodMs: 200 };

async function replicas(featureGates?: string) {
  const e = await startCluster();
  cleanups.push(() => e.server.close());
  for (let i = 0; i < 2; i++) for (const o of gpuNode(`node-${i}`, 4)) e.server.create(o);
  e.server.create(gpuClass);
  e.server.create(gpuTemplate('two', 2));
  e.server.create(gpuTemplate('one', 1));
  e.server.watchLag = { minMs: 5, maxMs: 50 };
  const all = await Promise.all(
    [0, 1].map((i) => LiveScheduler.start(e.cluster, { schedulerName: 'dralloc', manageClaims: true, resyncMs: 300, retryMs: 20, featureGates, leaderElection: { ...LEASE, identity: `replica-${i}` } })),
  );
  const stopped = new Set<LiveScheduler>();
  cleanups.push(async () => {
    for (const s of all) if (!stopped.has(s)) await s.stop();
  });
  await until('a leader', () => all.some((s) => s.isLeader()), 10_000);
  return { ...e, all, stopped, leader: all.find((s) => s.isLeader())!, follower: all.find((s) => !s.isLeader())! };
}

function gang(server: FakeApiServer, members: number, minCount: number): void {
  server.create({ apiVersion: 'scheduling.k8s.io/v1alpha2', kind: 'PodGroup', metadata: { name: 'train', namespace: 'default' }, spec: { schedulingPolicy: { gang: { minCount } } } });
  for (let i = 0; i < members; i++) {
    const pod = gpuPod(`w-${i}`, 'two', 'dralloc');
    pod.spec.schedulingGroup = { podGroupName: 'train' };
    server.create(pod);
  }
}

/** Gang `train` whose members share claim `train-shared` (2 GPUs, from template `two`) through the PodGroup, each with 1 GPU of its own. */
function sharingGang(server: FakeApiServer, names: string[], minCount: number): void {
  if (!server.get('PodGroup', 'train', 'default')) {
    server.create({ apiVersion: 'scheduling.k8s.io/v1alpha2', kind: 'PodGroup', metadata: { name: 'train', namespace: 'default' }, spec: { schedulingPolicy: { gang: { minCount } }, resourceClaims: [{ name: 'shared', resourceClaimTemplateName: 'two' }] } });
  }
  for (const name of names) {
    const pod = gpuPod(name, 'one', 'dralloc');
    pod.spec.schedulingGroup = { podGroupName: 'train' };
    pod.spec.resourceClaims.push({ name: 'shared', resourceClaimTemplateName: 'two' });
    server.create(pod);
  }
}

const members = (s: FakeApiServer) => s.list('Pod').filter((p) => p.metadata.name.startsWith('w-'));
const bound = (s: FakeApiServer) => members(s).filter((p) => p.spec.nodeName).length;
const allocated = (s: FakeApiServer) => s.list('ResourceClaim').filter((c) => c.status?.allocation);

/** Kills `leader` right before the write `when` picks is applied (that write still lands, as a request already sent does). */
function killOn(server: FakeApiServer, leader: LiveScheduler, when: (w: WriteRequest) => boolean): () => Promise<void> | undefined {
  let killed: Promise<void> | undefined;
  const off = server.beforeWrite((w) => {
    if (killed) return;
    if (when(w)) {
      killed = leader.kill();
      off();
    }
  });
  return () => killed;
}

const claimWrite = (w: WriteRequest) => w.plural === 'resourceclaims' && w.sub === 'status' && !!w.body?.status?.allocation;

describe('live gangs: the leader lost in the middle of a group', () => {
  const cases: [string, (w: WriteRequest) => boolean][] = [
    ['after writing the first member\'s claim', claimWrite],
    ['at the first binding (every claim written, one binding lands)', (w) => w.sub === 'binding'],
  ];
  for (const [when, pick] of cases) {
    it(`killed ${when}: the new leader binds the whole gang with the claims as written`, { timeout: 30_000 }, async () => {
      const { server, leader, follower, stopped } = await replicas();
      const killed = killOn(server, leader, pick);
      stopped.add(leader);
      gang(server, 3, 3);
      await until('the leader killed', () => killed() !== undefined, 10_000);
      await killed();
      // What the killed leader left: claims written for members not all bound (the half-done group).
      const left = { bound: bound(server), allocated: allocated(server).length };
      expect(left.bound).toBeLessThan(3);
      expect(left.allocated).toBeGreaterThan(left.bound);
      await until('the follower leads', () => follower.isLeader(), 5_000);
      await until('3 members bound', () => bound(server) === 3, 15_000);
      expect(violations(server)).toEqual([]);
      expect(server.stats.bindings).toBe(3);
      expect(allocated(server).length).toBe(3);
      await until('engine caught up', () => follower.consistency() === undefined, 5_000);
    });
  }

  it('the lease stolen at the first binding: the leader stops at its next renewal, a replica of ours takes over after the thief\'s lease and binds the rest', { timeout: 30_000 }, async () => {
    const { server, all } = await replicas();
    let stolen = false;
    const off = server.beforeWrite((w) => {
      if (stolen || w.sub !== 'binding') return;
      stolen = true;
      const lease = server.get('Lease', 'dralloc', 'kube-system')!;
      server.update({ ...lease, spec: { ...lease.spec, holderIdentity: 'thief', renewTime: new Date().toISOString() } });
    });
    gang(server, 3, 3);
    await until('the lease stolen', () => stolen, 10_000);
    off();
    await until('nobody of ours leads', () => all.every((s) => !s.isLeader()), 3_000);
    await until('one of ours leads again', () => all.some((s) => s.isLeader()), 5_000);
    await until('3 members bound', () => bound(server) === 3, 15_000);
    expect(violations(server)).toEqual([]);
    expect(server.stats.bindings).toBe(3);
    expect(allocated(server).length).toBe(3);
  });

  it('killed after writing every claim, then a member deleted: the new leader releases the claims of the gang it cannot admit', { timeout: 30_000 }, async () => {
    const { server, leader, follower, stopped } = await replicas();
    // Killed as the last of the 3 claim writes lands: every claim written, no binding.
    let writes = 0;
    const killed = killOn(server, leader, (w) => claimWrite(w) && ++writes === 3);
    stopped.add(leader);
    gang(server, 3, 3);
    await until('the leader killed', () => killed() !== undefined, 10_000);
    await killed();
    expect(bound(server)).toBe(0);
    expect(allocated(server).length).toBe(3);
    // While nobody leads, w-2 is deleted: 2 members left, minCount 3 — the gang can never be admitted as it is.
    server.remove('Pod', 'w-2', 'default');
    await until('the follower leads', () => follower.isLeader(), 5_000);
    await until('every claim released', () => allocated(server).length === 0, 10_000);
    await until('w-0 and w-1 told why they wait', () => members(server).every((p: Obj) => p.status?.conditions?.some((c: { message: string }) => c.message === 'waiting for minCount pods from a gang to appear in scheduling queue')), 5_000);
    expect(bound(server)).toBe(0);
    expect(violations(server)).toEqual([]);
    // A new member makes the gang whole again: it is bound entirely.
    const pod = gpuPod('w-3', 'two', 'dralloc');
    pod.spec.schedulingGroup = { podGroupName: 'train' };
    server.create(pod);
    await until('3 members bound', () => bound(server) === 3, 10_000);
    expect(violations(server)).toEqual([]);
    expect(server.stats.bindings).toBe(3);
  });

  it('killed after writing every claim of a gang sharing a PodGroup claim, then a member deleted: the new leader releases the PodGroup\'s claim too', { timeout: 30_000 }, async () => {
    // 2 nodes × 4 GPUs; gang of 2 (minCount 2), each member 1 GPU of its own + `train-shared` (2
    // GPUs, allocated once, reserved for the PodGroup): the whole gang fits one node exactly.
    const { server, leader, follower, stopped } = await replicas('DRAWorkloadResourceClaims=true');
    // Killed as the last of the 3 allocations (w-0's, train-shared, w-1's) lands: no binding.
    let writes = 0;
    const killed = killOn(server, leader, (w) => claimWrite(w) && ++writes === 3);
    stopped.add(leader);
    sharingGang(server, ['w-0', 'w-1'], 2);
    await until('the leader killed', () => killed() !== undefined, 10_000);
    await killed();
    expect(bound(server)).toBe(0);
    expect(allocated(server).map((c) => c.metadata.name).sort()).toEqual(['train-shared', 'w-0-gpu', 'w-1-gpu']);
    const uid = server.get('PodGroup', 'train', 'default')!.metadata.uid;
    expect(server.get('ResourceClaim', 'train-shared', 'default')!.status.reservedFor).toEqual([{ apiGroup: 'scheduling.k8s.io', resource: 'podgroups', name: 'train', uid }]);
    // While nobody leads, w-1 is deleted: 1 member, minCount 2 — the gang cannot be admitted as it is.
    server.remove('Pod', 'w-1', 'default');
    await until('the follower leads', () => follower.isLeader(), 5_000);
    // No Pod of the group is bound: the PodGroup's claim is released with w-0's (w-1's own claim
    // goes with its Pod, as any deleted Pod's).
    await until('w-0-gpu and train-shared released', () => !allocated(server).some((c) => c.metadata.name === 'w-0-gpu' || c.metadata.name === 'train-shared'), 10_000);
    expect(server.get('ResourceClaim', 'train-shared', 'default')!.status).toEqual({});
    expect(bound(server)).toBe(0);
    expect(violations(server)).toEqual([]);
    // A new member makes the gang whole again: bound entirely, train-shared allocated again on its node.
    sharingGang(server, ['w-2'], 2);
    await until('2 members bound', () => bound(server) === 2, 10_000);
    const nodes = members(server).map((p) => p.spec.nodeName);
    const shared = server.get('ResourceClaim', 'train-shared', 'default')!;
    expect(shared.status.reservedFor).toEqual([{ apiGroup: 'scheduling.k8s.io', resource: 'podgroups', name: 'train', uid }]);
    expect(shared.status.allocation.devices.results.map((r: { pool: string }) => r.pool)).toEqual([nodes[0], nodes[0]]);
    expect(nodes[1]).toBe(nodes[0]);
    expect(violations(server)).toEqual([]);
    expect(server.stats.bindings).toBe(2);
  });
});
