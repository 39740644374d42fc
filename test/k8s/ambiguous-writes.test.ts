/**
 * Ambiguous writes: the API server applies a write but answers 5xx (as when it times out after
 * etcd committed). dralloc must read the object again before undoing anything. Every write kind
 * the scheduler makes: an allocating claim status PUT, a reservation PUT, the binding, claim
 * creation, and the releases of --manage-claims (status PUT and claim DELETE). Watches lag
 * (300–600 ms) so that the informer cannot paper over a wrong guess before the next Pod is placed.
 *
 * Expected values by hand, per case below; in all: no device twice, no bound Pod without its
 * allocation, every Pod that fits bound (`violations`).
 */

import { afterEach, describe, expect, it } from 'vitest';
import { LiveScheduler } from '../../src/k8s/live-scheduler.js';
import type { Obj } from './fake-apiserver.js';
import { deviceOwners, gpuClass, gpuNode, gpuPod, gpuTemplate, startCluster, until, violations } from './cluster.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const CLAIM_STATUS = /\/resourceclaims\/[^/]+\/status$/;

/** One node `node-0` with `gpus` GPUs, templates `one`, lagging watches, a running scheduler. */
async function cluster(gpus: number) {
  const e = await startCluster();
  cleanups.push(() => e.server.close());
  for (const o of gpuNode('node-0', gpus)) e.server.create(o);
  e.server.create(gpuClass);
  e.server.create(gpuTemplate('one', 1));
  e.server.watchLag = { minMs: 300, maxMs: 600 };
  const s = await LiveScheduler.start(e.cluster, { schedulerName: 'dralloc', manageClaims: true, resyncMs: 300, retryMs: 20 });
  cleanups.push(() => s.stop());
  return { ...e, s };
}

const boundNames = (e: { server: { list(k: string): Obj[] } }) => e.server.list('Pod').filter((p) => p.spec.nodeName).map((p) => p.metadata.name).sort();

/** Keeps checking `violations` for `ms` (late watch events must not undo anything). */
async function staysSound(e: Awaited<ReturnType<typeof cluster>>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    expect(violations(e.server)).toEqual([]);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('ambiguous writes (applied, answered 5xx)', () => {
  it('allocating claim status PUT: the device stays taken, the second Pod does not get it', { timeout: 20_000 }, async () => {
    // 1 GPU, Pods a then b: whichever goes first holds gpu-0; the other is unschedulable.
    const e = await cluster(1);
    e.server.failAfterApplying('PUT', CLAIM_STATUS, 503);
    e.server.create(gpuPod('a', 'one', 'dralloc'));
    e.server.create(gpuPod('b', 'one', 'dralloc'));
    await until('one Pod bound', () => boundNames(e).length === 1, 10_000);
    await staysSound(e, 1_500);
    expect(boundNames(e).length).toBe(1);
    expect([...deviceOwners(e.server).values()]).toEqual([[`default/${boundNames(e)[0]}-gpu`]]);
    expect(e.server.stats.injected).toBe(1);
  });

  it('binding POST: the Pod counts as bound, its claim is not rolled back', { timeout: 20_000 }, async () => {
    // 2 GPUs, 2 Pods: both bound, each claim allocated and reserved for its Pod.
    const e = await cluster(2);
    e.server.failAfterApplying('POST', /\/pods\/[^/]+\/binding$/, 503);
    e.server.create(gpuPod('a', 'one', 'dralloc'));
    e.server.create(gpuPod('b', 'one', 'dralloc'));
    await until('both bound', () => boundNames(e).length === 2, 10_000);
    await staysSound(e, 1_000);
    expect(deviceOwners(e.server).size).toBe(2);
    expect(e.server.stats.injected).toBe(1);
  });

  it('binding POST failing without being applied: claims rolled back, then retried and bound', { timeout: 20_000 }, async () => {
    const e = await cluster(1);
    e.server.failNext('POST', /\/pods\/[^/]+\/binding$/, 503);
    e.server.create(gpuPod('a', 'one', 'dralloc'));
    await until('bound', () => boundNames(e).length === 1, 10_000);
    await staysSound(e, 800);
    expect(e.s.stats.rollbacks).toBe(1);
  });

  it('reservation PUT on a shared claim: both Pods bound, the claim reserved for both', { timeout: 20_000 }, async () => {
    const e = await cluster(1);
    e.server.create({ apiVersion: 'resource.k8s.io/v1', kind: 'ResourceClaim', metadata: { name: 'shared', namespace: 'default' }, spec: { devices: { requests: [{ name: 'gpu', exactly: { deviceClassName: 'gpu' } }] } } });
    const shared = (name: string) => ({ ...gpuPod(name, 'one', 'dralloc'), spec: { ...gpuPod(name, 'one', 'dralloc').spec, resourceClaims: [{ name: 'gpu', resourceClaimName: 'shared' }] } });
    e.server.create(shared('a'));
    await until('a bound', () => boundNames(e).length === 1, 10_000);
    e.server.failAfterApplying('PUT', CLAIM_STATUS, 503);
    e.server.create(shared('b'));
    await until('b bound', () => boundNames(e).length === 2, 10_000);
    await staysSound(e, 800);
    const claim = e.server.get('ResourceClaim', 'shared', 'default')!;
    expect(claim.status.reservedFor.map((r: { name: string }) => r.name).sort()).toEqual(['a', 'b']);
  });

  it('claim creation POST: the Pod gets exactly one claim and is bound', { timeout: 20_000 }, async () => {
    const e = await cluster(1);
    e.server.failAfterApplying('POST', /\/resourceclaims$/, 503);
    e.server.create(gpuPod('a', 'one', 'dralloc'));
    await until('bound', () => boundNames(e).length === 1, 10_000);
    await staysSound(e, 500);
    expect(e.server.list('ResourceClaim').map((c) => c.metadata.name)).toEqual(['a-gpu']);
  });

  it('releases: status PUT and claim DELETE applied but 5xx — the claim goes, its device serves the next Pod', { timeout: 20_000 }, async () => {
    // 1 GPU: a bound; a finishes; its claim is released (the PUT and the DELETE both answered
    // 503 after applying); b, created next, must get gpu-0.
    const e = await cluster(1);
    e.server.create(gpuPod('a', 'one', 'dralloc'));
    await until('a bound', () => boundNames(e).length === 1, 10_000);
    e.server.failAfterApplying('PUT', CLAIM_STATUS, 503);
    e.server.failAfterApplying('DELETE', /\/resourceclaims\/[^/]+$/, 503);
    const a = e.server.get('Pod', 'a', 'default')!;
    e.server.update({ ...a, status: { ...a.status, phase: 'Succeeded' } });
    await until('a\'s claim deleted', () => !e.server.get('ResourceClaim', 'a-gpu', 'default'), 10_000);
    e.server.create(gpuPod('b', 'one', 'dralloc'));
    await until('b bound', () => boundNames(e).includes('b'), 10_000);
    await staysSound(e, 500);
    expect([...deviceOwners(e.server).entries()]).toEqual([['gpu.example.com/node-0/gpu-0', ['default/b-gpu']]]);
    expect(e.server.stats.injected).toBe(2);
  });
});
