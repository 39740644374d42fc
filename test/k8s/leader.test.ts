/**
 * Several `dralloc scheduler` replicas with leader election (a coordination.k8s.io/v1 Lease):
 * only the leader schedules; when it is killed (no release) a follower takes over after the
 * lease expires; when its lease is stolen it stops at once; SIGTERM (stop) hands the lease over.
 * Short durations here (lease 1.5 s, renew deadline 1 s, retry 200 ms).
 *
 * Expected values by hand: 3 nodes × 4 GPUs = 12 devices; Pods of 2 GPUs each, so 6 fit. In
 * every case: no device in two claims, each bound Pod bound by exactly one binding, every bound
 * Pod's claim allocated and reserved for it (`violations`), 6 bound in the end.
 */

import { afterEach, describe, expect, it } from 'vitest';
import { LiveScheduler } from '../../src/k8s/live-scheduler.js';
import { main } from '../../src/cli/main.js';
import { duration } from '../../src/cli/live-scheduler.js';
import { gpuClass, gpuNode, gpuPod, gpuTemplate, startCluster, until, violations } from './cluster.js';
import type { FakeApiServer } from './fake-apiserver.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const LEASE = { name: 'dralloc', namespace: 'kube-system', leaseDurationMs: 1_500, renewDeadlineMs: 1_000, retryPeriodMs: 200 };

async function replicas(n: number) {
  const e = await startCluster();
  cleanups.push(() => e.server.close());
  for (let i = 0; i < 3; i++) for (const o of gpuNode(`node-${i}`, 4)) e.server.create(o);
  e.server.create(gpuClass);
  e.server.create(gpuTemplate('two', 2));
  e.server.watchLag = { minMs: 20, maxMs: 200 };
  const all = await Promise.all(
    Array.from({ length: n }, (_, i) => LiveScheduler.start(e.cluster, { schedulerName: 'dralloc', manageClaims: true, resyncMs: 300, retryMs: 20, leaderElection: { ...LEASE, identity: `replica-${i}` } })),
  );
  const stopped = new Set<LiveScheduler>();
  cleanups.push(async () => {
    for (const s of all) if (!stopped.has(s)) await s.stop();
  });
  return { ...e, all, stopped };
}

const bound = (s: FakeApiServer) => s.list('Pod').filter((p) => p.spec.nodeName).length;
const holder = (s: FakeApiServer) => s.get('Lease', 'dralloc', 'kube-system')?.spec?.holderIdentity;
const leaders = (all: LiveScheduler[]) => all.filter((s) => s.isLeader()).length;

/** Watches the replicas while `body` runs: never two leaders at one moment. */
async function atMostOneLeader(all: LiveScheduler[], body: () => Promise<void>): Promise<void> {
  let max = 0;
  const timer = setInterval(() => (max = Math.max(max, leaders(all))), 10);
  try {
    await body();
  } finally {
    clearInterval(timer);
  }
  expect(max).toBe(1);
}

function finalChecks(server: FakeApiServer): void {
  expect(violations(server)).toEqual([]);
  expect(bound(server)).toBe(6);
  expect(server.stats.bindings).toBe(6); // no Pod bound twice (the fake counts successful bindings)
}

describe('leader election', () => {
  for (const n of [2, 3]) {
    it(`${n} racing replicas: one leader schedules, devices single, 6 of 16 Pods bound`, { timeout: 30_000 }, async () => {
      const { server, all } = await replicas(n);
      await atMostOneLeader(all, async () => {
        await until('a leader', () => leaders(all) === 1, 10_000);
        for (let p = 0; p < 16; p++) server.create(gpuPod(`p-${p}`, 'two', 'dralloc'));
        await until('6 bound', () => bound(server) === 6, 15_000);
        await new Promise((r) => setTimeout(r, 500));
      });
      expect(holder(server)).toMatch(/^replica-\d$/);
      finalChecks(server);
    });
  }

  it('the leader killed mid-run (no release): a follower takes over after the lease expires and finishes', { timeout: 30_000 }, async () => {
    const { server, all, stopped } = await replicas(2);
    await until('a leader', () => leaders(all) === 1, 10_000);
    const first = all.find((s) => s.isLeader())!;
    // Kill the leader right after its first claim write lands: the Pod it was placing is half-written.
    let killed: Promise<void> | undefined;
    let halfWritten = '';
    const off = server.beforeWrite((w) => {
      if (killed || w.plural !== 'resourceclaims' || w.sub !== 'status') return;
      halfWritten = w.body!.status.reservedFor[0].name;
      killed = first.kill();
    });
    stopped.add(first);
    for (let p = 0; p < 16; p++) server.create(gpuPod(`p-${p}`, 'two', 'dralloc'));
    await until('the leader killed', () => killed !== undefined, 10_000);
    await killed;
    off();
    const other = all.find((s) => s !== first)!;
    await until('the follower leads', () => other.isLeader(), 5_000);
    await until('6 bound', () => bound(server) === 6, 15_000);
    expect(holder(server)).toBe(`replica-${all.indexOf(other)}`);
    // The Pod the killed leader left half-written was finished with the claim it wrote.
    expect(server.get('Pod', halfWritten, 'default')!.spec.nodeName).toBeDefined();
    finalChecks(server);
  });

  it('a stolen lease: the leader stops at once; after the thief\'s lease expires a replica takes over', { timeout: 30_000 }, async () => {
    const { server, all } = await replicas(2);
    await until('a leader', () => leaders(all) === 1, 10_000);
    for (let p = 0; p < 4; p++) server.create(gpuPod(`p-${p}`, 'two', 'dralloc'));
    await until('4 bound', () => bound(server) === 4, 10_000);
    const lease = server.get('Lease', 'dralloc', 'kube-system')!;
    // Every binding the server receives while the thief holds the lease is a violation.
    const bindingsUnderThief: string[] = [];
    const unhook = server.beforeWrite((w) => {
      if (w.sub === 'binding' && holder(server) === 'thief') bindingsUnderThief.push(w.name ?? '');
    });
    server.update({ ...lease, spec: { ...lease.spec, holderIdentity: 'thief', renewTime: new Date().toISOString() } });
    await until('nobody of ours leads', () => leaders(all) === 0, 3_000);
    for (let p = 4; p < 16; p++) server.create(gpuPod(`p-${p}`, 'two', 'dralloc'));
    await until('one of ours leads again', () => leaders(all) === 1, 5_000);
    unhook();
    expect(bindingsUnderThief).toEqual([]); // nobody scheduled while the thief held the lease
    await until('6 bound', () => bound(server) === 6, 15_000);
    expect(holder(server)).toMatch(/^replica-\d$/);
    finalChecks(server);
  });

  it('stop (SIGTERM) hands the lease back: the follower leads well before the lease would expire', { timeout: 30_000 }, async () => {
    const { server, all, stopped } = await replicas(2);
    await until('a leader', () => leaders(all) === 1, 10_000);
    const first = all.find((s) => s.isLeader())!;
    const other = all.find((s) => s !== first)!;
    stopped.add(first);
    await first.stop();
    expect(holder(server)).toBeUndefined();
    await until('the follower leads', () => other.isLeader(), 5_000);
    for (let p = 0; p < 16; p++) server.create(gpuPod(`p-${p}`, 'two', 'dralloc'));
    await until('6 bound', () => bound(server) === 6, 15_000);
    finalChecks(server);
  });
});

describe('scheduler leader-election flags', () => {
  const run = async (args: string[]) => {
    let stderr = '';
    const code = await main(['scheduler', '--scheduler-name', 'x', ...args], { stdout: () => {}, stderr: (t: string) => void (stderr += t), readStdin: async () => '' });
    return { code, stderr: stderr.split('\n')[0] };
  };
  it('parses kube-scheduler durations', () => {
    expect([duration('f', '15s'), duration('f', '500ms'), duration('f', '1m30s'), duration('f', '1.5s'), duration('f', undefined)]).toEqual([15_000, 500, 90_000, 1_500, undefined]);
    expect(() => duration('--d', '15')).toThrow('--d wants a duration such as 15s or 500ms, got "15"');
    expect(() => duration('--d', '0s')).toThrow('got "0s"');
  });
  it('rejects inconsistent durations and a bad --leader-elect value before connecting', async () => {
    expect(await run(['--leader-elect-lease-duration', '5s'])).toEqual({ code: 2, stderr: 'error: leader election needs --leader-elect-retry-period < --leader-elect-renew-deadline < --leader-elect-lease-duration' });
    expect(await run(['--leader-elect=maybe'])).toEqual({ code: 2, stderr: 'error: --leader-elect wants true or false, got "maybe"' });
  });
});
