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

async function replicas() {
  const e = await startCluster();
  cleanups.push(() => e.server.close());
  for (let i = 0; i < 2; i++) for (const o of gpuNode(`node-${i}`, 4)) e.server.create(o);
  e.server.create(gpuClass);
  e.server.create(gpuTemplate('two', 2));
  e.server.watchLag = { minMs: 5, maxMs: 50 };
  const all = await Promise.all(
    [0, 1].map((i) => LiveScheduler.start(e.cluster, { schedulerName: 'dralloc', manageClaims: true, resyncMs: 300, retryMs: 20, leaderElection: { ...LEASE, identity: `replica-${i}` } })),
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
});
