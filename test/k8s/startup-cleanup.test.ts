/**
 * --manage-claims at start: a Pod deleted while no dralloc ran still holds its claim (allocated,
 * reserved for it). dralloc releases it as the resourceclaim controller would; a live Pod's
 * claim stays. By hand: node-0 has gpu-0 (held by the gone Pod "ghost", claim owned by it) and
 * gpu-1 (held by the bound Pod "alive"); the new Pod "next" can only get gpu-0, once the ghost's
 * claim is deleted.
 */

import { afterEach, describe, expect, it } from 'vitest';
import { LiveScheduler } from '../../src/k8s/live-scheduler.js';
import type { Obj } from './fake-apiserver.js';
import { deviceOwners, gpuClass, gpuNode, gpuPod, gpuTemplate, startCluster, until, violations } from './cluster.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function heldClaim(name: string, device: string, pod: { name: string; uid: string }, owned: boolean): Obj {
  return {
    apiVersion: 'resource.k8s.io/v1',
    kind: 'ResourceClaim',
    metadata: { name, namespace: 'default', ...(owned ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: pod.name, uid: pod.uid, controller: true }] } : {}) },
    spec: { devices: { requests: [{ name: 'gpu', exactly: { deviceClassName: 'gpu' } }] } },
    status: { allocation: { devices: { results: [{ request: 'gpu', driver: 'gpu.example.com', pool: 'node-0', device }] } }, reservedFor: [{ resource: 'pods', name: pod.name, uid: pod.uid }] },
  };
}

describe('start-up cleanup (--manage-claims)', () => {
  it('releases the claims of Pods that no longer exist, keeps those of live Pods', { timeout: 20_000 }, async () => {
    const e = await startCluster();
    cleanups.push(() => e.server.close());
    for (const o of gpuNode('node-0', 2)) e.server.create(o);
    e.server.create(gpuClass);
    e.server.create(gpuTemplate('one', 1));
    const alive = e.server.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'alive', namespace: 'default' }, spec: { nodeName: 'node-0', resourceClaims: [{ name: 'gpu', resourceClaimName: 'alive-gpu' }] } });
    e.server.create(heldClaim('ghost-gpu', 'gpu-0', { name: 'ghost', uid: 'gone-uid' }, true));
    e.server.create(heldClaim('alive-gpu', 'gpu-1', { name: 'alive', uid: alive.metadata.uid }, false));
    e.server.create(gpuPod('next', 'one', 'dralloc'));
    const log: string[] = [];
    const s = await LiveScheduler.start(e.cluster, { schedulerName: 'dralloc', manageClaims: true, log: (l) => log.push(l) });
    cleanups.push(() => s.stop());
    await until('next bound', () => !!e.server.get('Pod', 'next', 'default')?.spec.nodeName, 10_000);
    expect(e.server.get('ResourceClaim', 'ghost-gpu', 'default')).toBeUndefined();
    expect([...deviceOwners(e.server).entries()].sort()).toEqual([
      ['gpu.example.com/node-0/gpu-0', ['default/next-gpu']],
      ['gpu.example.com/node-0/gpu-1', ['default/alive-gpu']],
    ]);
    expect(violations(e.server)).toEqual([]);
    expect(log).toContain('pod default/ghost (uid gone-uid) no longer exists: releasing its claims');
  });
});
