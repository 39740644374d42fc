/** Test helpers: a fake API server with a kubeconfig file, seeded GPU clusters, bounded waits. */

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeApiServer, type Obj } from './fake-apiserver.js';
import { connect, type Cluster } from '../../src/k8s/connect.js';

export async function startCluster(): Promise<{ server: FakeApiServer; cluster: Cluster; kubeconfig: string }> {
  const server = await FakeApiServer.start();
  const dir = mkdtempSync(join(tmpdir(), 'dralloc-k8s-'));
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, server.kubeconfig());
  return { server, cluster: await connect({ kubeconfig }), kubeconfig };
}

export const DRIVER = 'gpu.example.com';

export function gpuNode(name: string, gpus: number, taints: Obj[] = []): Obj[] {
  return [
    { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name } }, spec: {} },
    {
      apiVersion: 'resource.k8s.io/v1',
      kind: 'ResourceSlice',
      metadata: { name: `${name}-gpus` },
      spec: {
        driver: DRIVER,
        nodeName: name,
        pool: { name, generation: 1, resourceSliceCount: 1 },
        devices: Array.from({ length: gpus }, (_, i) => ({
          name: `gpu-${i}`,
          attributes: { index: { int: i } },
          ...(i === 0 && taints.length ? { taints } : {}),
        })),
      },
    },
  ];
}

export const gpuClass: Obj = {
  apiVersion: 'resource.k8s.io/v1',
  kind: 'DeviceClass',
  metadata: { name: 'gpu' },
  spec: { selectors: [{ cel: { expression: `device.driver == "${DRIVER}"` } }] },
};

export function gpuTemplate(name: string, count: number, namespace = 'default'): Obj {
  return {
    apiVersion: 'resource.k8s.io/v1',
    kind: 'ResourceClaimTemplate',
    metadata: { name, namespace },
    spec: { spec: { devices: { requests: [{ name: 'gpu', exactly: { deviceClassName: 'gpu', count } }] } } },
  };
}

export function gpuPod(name: string, template: string, schedulerName: string, namespace = 'default'): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace },
    spec: {
      schedulerName,
      containers: [{ name: 'main', image: 'busybox' }],
      resourceClaims: [{ name: 'gpu', resourceClaimTemplateName: template }],
    },
    status: { phase: 'Pending' },
  };
}

/** Polls `check` until it returns true; fails after `ms` (a bound, never a timing assertion). */
export async function until(what: string, check: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Every allocated device (driver/pool/device) of the server's claims, with the claims holding it. */
export function deviceOwners(server: FakeApiServer): Map<string, string[]> {
  const owners = new Map<string, string[]>();
  for (const c of server.list('ResourceClaim')) {
    for (const r of c.status?.allocation?.devices?.results ?? []) {
      const id = `${r.driver}/${r.pool}/${r.device}`;
      owners.set(id, [...(owners.get(id) ?? []), `${c.metadata.namespace}/${c.metadata.name}`]);
    }
  }
  return owners;
}
