import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { loadPaths } from '../../src/model/load.js';
import { LiveScheduler } from '../../src/k8s/live-scheduler.js';
import type { FakeApiServer } from './fake-apiserver.js';
import { deviceOwners, gpuClass, gpuNode, gpuPod, gpuTemplate, startCluster, until } from './cluster.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
async function env() {
  const e = await startCluster();
  cleanups.push(() => e.server.close());
  return e;
}
const bound = (s: FakeApiServer) => s.list('Pod').filter((p) => p.spec.nodeName).length;
function io() {
  const out = { stdout: '', stderr: '' };
  return { out, io: { stdout: (t: string) => void (out.stdout += t), stderr: (t: string) => void (out.stderr += t), readStdin: async () => '' } };
}
const noDoubles = (s: FakeApiServer) => [...deviceOwners(s).entries()].filter(([, o]) => o.length > 1);
const unschedulable = (s: FakeApiServer) => s.list('Pod').filter((p) => p.status?.conditions?.some((c: { status: string }) => c.status === 'False')).length;

/** 3 nodes × 4 GPUs = 12 devices; two schedulers started (names given), each a fast retry. */
async function raceCluster(names: [string, string]) {
  const e = await env();
  for (let n = 0; n < 3; n++) for (const o of gpuNode(`node-${n}`, 4)) e.server.create(o);
  e.server.create(gpuClass);
  e.server.create(gpuTemplate('two', 2));
  const [a, b] = await Promise.all(names.map((schedulerName) => LiveScheduler.start(e.cluster, { schedulerName, manageClaims: true, resyncMs: 200, retryMs: 20 })));
  cleanups.push(() => a.stop(), () => b.stop());
  return { ...e, a, b };
}

describe('live cluster commands', () => {
  it('schedules 200 Pods end to end, one device each, never twice', async () => {
    const { server, cluster: c } = await env();
    // 30 nodes × 8 GPUs = 240 devices; 200 Pods of one GPU each fit, 40 GPUs stay free.
    for (let n = 0; n < 30; n++) for (const o of gpuNode(`node-${n}`, 8)) server.create(o);
    server.create(gpuClass);
    server.create(gpuTemplate('one-gpu', 1));
    for (let p = 0; p < 200; p++) server.create(gpuPod(`pod-${p}`, 'one-gpu', 'dralloc'));
    const s = await LiveScheduler.start(c, { schedulerName: 'dralloc', manageClaims: true });
    cleanups.push(() => s.stop());
    await until('200 Pods bound', () => bound(server) === 200, 50_000);
    const owners = deviceOwners(server);
    expect([...owners.values()].filter((o) => o.length > 1)).toEqual([]);
    expect(owners.size).toBe(200);
    // Every Pod's claim is its own (owned, recorded in the Pod's status), reserved for it, on its node.
    for (const pod of server.list('Pod')) {
      const name = pod.status.resourceClaimStatuses[0].resourceClaimName;
      const claim = server.get('ResourceClaim', name, 'default')!;
      expect(claim.metadata.ownerReferences[0].uid).toBe(pod.metadata.uid);
      expect(claim.status.reservedFor).toEqual([{ resource: 'pods', name: pod.metadata.name, uid: pod.metadata.uid }]);
      expect(claim.status.allocation.devices.results[0].pool).toBe(pod.spec.nodeName);
    }
    expect(server.list('ResourceClaim').length).toBe(200);
    await until('engine caught up', () => s.consistency() === undefined);
  }, 60_000);
  it('snapshot writes every kind into one file that loads back unchanged', async () => {
    const { server, kubeconfig } = await env();
    for (const o of gpuNode('n1', 2, [{ key: 'k', effect: 'NoSchedule', timeAdded: '2026-01-01T00:00:00Z' }])) server.create(o);
    server.create(gpuClass);
    server.create(gpuTemplate('t', 1));
    server.create(gpuPod('p', 't', 'x'));
    server.create({ apiVersion: 'resource.k8s.io/v1', kind: 'ResourceClaim', metadata: { name: 'c', namespace: 'default' }, spec: { devices: { requests: [{ name: 'r', exactly: { deviceClassName: 'gpu' } }] } } });
    server.create({ apiVersion: 'resource.k8s.io/v1beta2', kind: 'DeviceTaintRule', metadata: { name: 'r' }, spec: { taint: { key: 'a', effect: 'NoExecute' } } });
    const file = join(mkdtempSync(join(tmpdir(), 'snap-')), 'snap.json');
    const { out, io: cli } = io();
    expect(await main(['snapshot', '-o', file, '--kubeconfig', kubeconfig], cli)).toBe(0);
    const loaded = (await loadPaths([file])).objects.map((l) => l.object);
    expect(loaded.map((o) => o.kind)).toEqual(['Node', 'DeviceClass', 'ResourceSlice', 'ResourceClaim', 'ResourceClaimTemplate', 'Pod', 'DeviceTaintRule']);
    const slice = loaded[2] as { spec: { devices: { attributes: unknown; taints?: unknown }[] } };
    // `int` comes back as `int` (client-node's model calls it `_int`), timestamps as written.
    expect(slice.spec.devices[1].attributes).toEqual({ index: { int: 1 } });
    expect(slice.spec.devices[0].taints).toEqual([{ key: 'k', effect: 'NoSchedule', timeAdded: '2026-01-01T00:00:00Z' }]);
    expect(out.stderr).toContain('1 Node, 1 DeviceClass, 1 ResourceSlice');
  });

  it('a bad --context is an error naming the contexts', async () => {
    const { kubeconfig } = await env();
    const { out, io: cli } = io();
    expect(await main(['snapshot', '-o', '-', '--kubeconfig', kubeconfig, '--context', 'nope'], cli)).toBe(2);
    expect(out.stderr).toBe('error: --context nope: no such context in the kubeconfig (have: fake)\n');
  });

  it('evictions --apply deletes the Pod on an untolerated NoExecute device, dry run by default', async () => {
    const { server, kubeconfig } = await env();
    for (const o of gpuNode('n1', 2)) server.create(o);
    server.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'victim', namespace: 'default' }, spec: { nodeName: 'n1' } });
    const uid = server.get('Pod', 'victim', 'default')!.metadata.uid;
    server.create({
      apiVersion: 'resource.k8s.io/v1', kind: 'ResourceClaim', metadata: { name: 'c', namespace: 'default' }, spec: {},
      status: { allocation: { devices: { results: [{ request: 'r', driver: 'gpu.example.com', pool: 'n1', device: 'gpu-1' }] } }, reservedFor: [{ resource: 'pods', name: 'victim', uid }] },
    });
    server.create({ apiVersion: 'resource.k8s.io/v1beta2', kind: 'DeviceTaintRule', metadata: { name: 'broken' }, spec: { deviceSelector: { device: 'gpu-1' }, taint: { key: 'dead', effect: 'NoExecute', timeAdded: '2026-01-01T00:00:00Z' } } });
    const dry = io();
    expect(await main(['evictions', '--kubeconfig', kubeconfig], dry.io)).toBe(1);
    expect(dry.out.stdout).toContain('default/victim\tnode n1\tdue since 2026-01-01T00:00:00Z\tnot tolerated');
    expect(server.get('Pod', 'victim', 'default')).toBeDefined();
    expect(await main(['evictions', '--kubeconfig', kubeconfig, '--apply'], io().io)).toBe(1);
    expect(server.get('Pod', 'victim', 'default')).toBeUndefined();
  });

  it('survives watch expiry (410) and an API server restart with compaction, scheduling everything once', async () => {
    const { server, cluster } = await env();
    for (let n = 0; n < 4; n++) for (const o of gpuNode(`node-${n}`, 8)) server.create(o);
    server.create(gpuClass);
    server.create(gpuTemplate('one', 1));
    for (let p = 0; p < 10; p++) server.create(gpuPod(`a-${p}`, 'one', 'dralloc'));
    const s = await LiveScheduler.start(cluster, { schedulerName: 'dralloc', manageClaims: true });
    cleanups.push(() => s.stop());
    await until('first wave bound', () => bound(server) === 10);
    server.expireWatches();
    for (let p = 0; p < 10; p++) server.create(gpuPod(`b-${p}`, 'one', 'dralloc'));
    await until('second wave bound', () => bound(server) === 20);
    await server.restart({ downMs: 300, compact: true });
    for (let p = 0; p < 10; p++) server.create(gpuPod(`c-${p}`, 'one', 'dralloc'));
    // A claim freed while the scheduler was cut off must be seen after the relist.
    await until('third wave bound', () => bound(server) === 30);
    expect(server.stats.gone).toBeGreaterThan(0);
    expect(noDoubles(server)).toEqual([]);
    expect(server.list('ResourceClaim').length).toBe(30); // never duplicated
    await until('engine agrees with the caches', () => s.consistency() === undefined);
  }, 30_000);

  it('a republished slice with more devices: the parked Pod is bound on the new device', { timeout: 30_000 }, async () => {
    const { server, cluster } = await env();
    for (const o of gpuNode('node-0', 1)) server.create(o);
    server.create(gpuClass);
    server.create(gpuTemplate('one', 1));
    const s = await LiveScheduler.start(cluster, { schedulerName: 'dralloc', manageClaims: true, resyncMs: 60_000, retryMs: 20 });
    cleanups.push(() => s.stop());
    server.create(gpuPod('a', 'one', 'dralloc'));
    await until('a bound', () => bound(server) === 1);
    server.create(gpuPod('b', 'one', 'dralloc'));
    await until('b reported unschedulable', () => unschedulable(server) === 1);
    // The driver republishes node-0's pool with a second GPU (resync is a minute away: the slice change must wake b).
    const slice = server.get('ResourceSlice', 'node-0-gpus')!;
    server.update({ ...slice, spec: { ...slice.spec, pool: { ...slice.spec.pool, generation: 2 }, devices: gpuNode('node-0', 2)[1].spec.devices } });
    await until('b bound', () => bound(server) === 2, 10_000);
    expect(server.get('ResourceClaim', 'b-gpu', 'default')!.status.allocation.devices.results.map((r: { device: string }) => r.device)).toEqual(['gpu-1']);
    expect(noDoubles(server)).toEqual([]);
    expect(s.inventoryDevices()).toBe(2);
  });

  it('two scheduler instances racing on the same Pods and devices never allocate a device twice', async () => {
    // 12 devices for 16 two-GPU Pods: 6 fit, 10 stay unschedulable.
    const { server, a, b } = await raceCluster(['dralloc', 'dralloc']);
    for (let p = 0; p < 16; p++) server.create(gpuPod(`p-${p}`, 'two', 'dralloc'));
    await until('6 Pods bound', () => bound(server) === 6);
    await until('the rest reported unschedulable', () => unschedulable(server) === 10);
    expect(noDoubles(server)).toEqual([]);
    expect(deviceOwners(server).size).toBe(12);
    // Each bound Pod's claim holds 2 devices on the Pod's node.
    for (const p of server.list('Pod').filter((x) => x.spec.nodeName)) {
      const claim = server.get('ResourceClaim', `${p.metadata.name}-gpu`, 'default')!;
      expect(claim.status.allocation.devices.results.map((r: { pool: string }) => r.pool)).toEqual([p.spec.nodeName, p.spec.nodeName]);
    }
    expect(server.list('ResourceClaim').length).toBe(16);
    // eslint-disable-next-line no-console
    console.log(`same-Pods race: claim conflicts ${a.stats.conflicts + b.stats.conflicts}, rollbacks ${a.stats.rollbacks + b.stats.rollbacks}, 409s at the server ${server.stats.conflicts}`);
  }, 30_000);

  it('two schedulers with different names allocating different claims onto the same devices: the post-write check keeps devices single', async () => {
    const { server, a, b } = await raceCluster(['a', 'b']);
    for (let p = 0; p < 8; p++) for (const who of ['a', 'b']) server.create(gpuPod(`${who}-${p}`, 'two', who));
    await until('6 Pods bound', () => bound(server) === 6);
    await until('both idle', () => a.pendingPods() + b.pendingPods() === 10 && unschedulable(server) === 10);
    expect(noDoubles(server)).toEqual([]);
    // Bound Pods hold their devices; claims of Pods left unbound hold none (rolled back or never allocated).
    const boundClaims = server.list('Pod').filter((p) => p.spec.nodeName).map((p) => `default/${p.metadata.name}-gpu`);
    expect([...deviceOwners(server).values()].flat().sort()).toEqual(boundClaims.flatMap((c) => [c, c]).sort());
    // eslint-disable-next-line no-console
    console.log(`different-claims race: rollbacks ${a.stats.rollbacks + b.stats.rollbacks}, retries ${a.stats.retries + b.stats.retries}`);
  }, 30_000);
});
