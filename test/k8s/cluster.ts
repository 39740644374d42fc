/** Test helpers: a fake API server with a kubeconfig file, seeded GPU clusters, bounded waits. */

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeApiServer, type Obj } from './fake-apiserver.js';
import { connect, type Cluster } from '../../src/k8s/connect.js';
import { gpuClass as scheduleGpuClass, gpuNode as scheduleGpuNode } from '../fixtures/schedule/build.js';
import type { DeviceTaint } from '../../src/model/types.js';

export async function startCluster(): Promise<{ server: FakeApiServer; cluster: Cluster; kubeconfig: string }> {
  const server = await FakeApiServer.start();
  const dir = mkdtempSync(join(tmpdir(), 'dralloc-k8s-'));
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, server.kubeconfig());
  return { server, cluster: await connect({ kubeconfig }), kubeconfig };
}

export { DRIVER } from '../fixtures/schedule/build.js';

/** A Node and its one-slice pool of `gpus` GPUs (the schedule tests' `gpuNode`, as the API server holds it), each with its index; `taints` on gpu-0. */
export function gpuNode(name: string, gpus: number, taints: Obj[] = []): Obj[] {
  const [node, slice] = scheduleGpuNode(name, gpus, { attributes: (i) => ({ index: { int: i } }) });
  if (taints.length) slice.spec.devices![0].taints = taints as unknown as DeviceTaint[];
  return [{ ...node, spec: {} }, slice] as unknown as Obj[];
}

export const gpuClass = scheduleGpuClass() as unknown as Obj;

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

/**
 * What the server holds that must never be: a device in two claims, a bound Pod whose claim is
 * not allocated (on its node) and reserved for it — or, for a claim it shares through its
 * PodGroup, reserved for the PodGroup —, an unbound Pod holding an allocated claim reserved for
 * it. Pods that finished (Succeeded/Failed) hold nothing any more. Empty when all is well.
 */
/** Whether a Pod of `pod`'s PodGroup is bound and not finished. */
function groupRunning(server: FakeApiServer, pod: Obj): boolean {
  const name = pod.spec.schedulingGroup.podGroupName;
  return server.list('Pod').some((p) => p.metadata.namespace === pod.metadata.namespace && p.spec.schedulingGroup?.podGroupName === name && p.spec.nodeName && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
}

export function violations(server: FakeApiServer): string[] {
  const out: string[] = [];
  for (const [device, owners] of deviceOwners(server)) if (owners.length > 1) out.push(`${device} in ${owners.join(', ')}`);
  for (const pod of server.list('Pod')) {
    if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') continue;
    const groupName = pod.spec.schedulingGroup?.podGroupName;
    const group = groupName && server.get('PodGroup', groupName, pod.metadata.namespace);
    for (const ref of pod.spec.resourceClaims ?? []) {
      const shared = group?.spec.resourceClaims?.some((g: Obj) => g.name === ref.name && g.resourceClaimTemplateName === ref.resourceClaimTemplateName && g.resourceClaimName === ref.resourceClaimName);
      const consumer = shared ? group.metadata.uid : pod.metadata.uid;
      const claimName = ref.resourceClaimName ?? (shared ? `${groupName}-${ref.name}` : pod.status?.resourceClaimStatuses?.find((s: { name: string }) => s.name === ref.name)?.resourceClaimName);
      const claim = claimName && server.get('ResourceClaim', claimName, pod.metadata.namespace);
      const allocation = claim?.status?.allocation;
      const reserved = (claim?.status?.reservedFor ?? []).some((r: { uid: string }) => r.uid === consumer);
      if (pod.spec.nodeName) {
        if (!allocation) out.push(`pod ${pod.metadata.name} bound to ${pod.spec.nodeName} but claim ${claimName} is not allocated`);
        else if (allocation.devices.results.some((r: { pool: string }) => r.pool !== pod.spec.nodeName)) out.push(`pod ${pod.metadata.name}: claim on another node`);
        if (!reserved) out.push(`pod ${pod.metadata.name} bound but claim ${claimName} not reserved for it`);
      } else if (allocation && reserved && !(shared && groupRunning(server, pod))) {
        out.push(`pod ${pod.metadata.name} unbound but claim ${claimName} allocated and reserved for ${shared ? 'its PodGroup, no Pod of which is bound' : 'it'}`);
      }
    }
  }
  return out;
}
