/**
 * The API writes of the live scheduler and the eviction command, each one client-node call.
 * Claim status writes are replaces (PUT) carrying the resourceVersion the decision was based on,
 * so a write based on a stale claim fails with 409 Conflict instead of overwriting someone
 * else's allocation. Every function returns the object the API server answered with (plain JSON).
 */

import type { Pod, PodGroup, ResourceClaim } from '../model/types.js';
import type { Cluster } from './connect.js';
import { toPlainJson } from './normalize.js';
import { rawAnswer } from './raw.js';

type Json = Record<string, unknown>;

function plain<T>(o: unknown): T {
  return toPlainJson(o) as T;
}

/** The claim as the API server should store it: `claim` (the cached object) with a new status. */
export async function replaceClaimStatus(c: Cluster, claim: ResourceClaim, status: ResourceClaim['status']): Promise<ResourceClaim> {
  const body = { ...claim, apiVersion: 'resource.k8s.io/v1', kind: 'ResourceClaim', status };
  const out = await c.resource.replaceNamespacedResourceClaimStatus({ name: claim.metadata.name!, namespace: claim.metadata.namespace ?? 'default', body: body as never });
  return plain(out);
}

export async function readClaim(c: Cluster, namespace: string, name: string): Promise<ResourceClaim> {
  return plain(await c.resource.readNamespacedResourceClaim({ name, namespace }));
}

/** Creates a claim (without status: the API server ignores status on create). */
export async function createClaim(c: Cluster, claim: ResourceClaim): Promise<ResourceClaim> {
  const { status: _status, ...body } = claim;
  const metadata = { ...body.metadata };
  delete metadata.resourceVersion;
  delete metadata.uid;
  const out = await c.resource.createNamespacedResourceClaim({ namespace: claim.metadata.namespace ?? 'default', body: { ...body, metadata } as never });
  return plain(out);
}

export async function deleteClaim(c: Cluster, claim: ResourceClaim): Promise<void> {
  await c.resource.deleteNamespacedResourceClaim({ name: claim.metadata.name!, namespace: claim.metadata.namespace ?? 'default' });
}

/** The Pod as the server sent it (raw: client-node's model lacks spec.schedulingGroup). */
export async function readPod(c: Cluster, namespace: string, name: string): Promise<Pod> {
  return rawAnswer<Pod>((options) => c.core.readNamespacedPod({ name, namespace }, options));
}

/** POST pods/{name}/binding: assigns the Pod to the node (409 when it already has one). */
export async function bindPod(c: Cluster, pod: Pod, node: string): Promise<void> {
  const namespace = pod.metadata.namespace ?? 'default';
  await c.core.createNamespacedPodBinding({
    name: pod.metadata.name,
    namespace,
    body: { apiVersion: 'v1', kind: 'Binding', metadata: { name: pod.metadata.name, namespace, uid: pod.metadata.uid }, target: { apiVersion: 'v1', kind: 'Node', name: node } },
  });
}

/** Merge-patches the Pod's status (conditions, resourceClaimStatuses); returns the new Pod (raw, as readPod). */
export async function patchPodStatus(c: Cluster, pod: Pod, status: Json): Promise<Pod> {
  const body = { name: pod.metadata.name, namespace: pod.metadata.namespace ?? 'default', body: { status } };
  return rawAnswer<Pod>((options) => c.core.patchNamespacedPodStatus(body, c.k8s.setHeaderOptions('Content-Type', c.k8s.PatchStrategy.MergePatch, options as never)));
}

/**
 * Merge-patches a PodGroup's `status.conditions` (the whole list) with the cached
 * resourceVersion as a precondition (409 when someone changed it meanwhile).
 */
export async function patchPodGroupConditions(c: Cluster, group: PodGroup, conditions: unknown[]): Promise<PodGroup> {
  const api = c.kc.makeApiClient(c.k8s.CustomObjectsApi);
  const request = { group: 'scheduling.k8s.io', version: 'v1alpha2', plural: 'podgroups', namespace: group.metadata.namespace ?? 'default', name: group.metadata.name, body: { metadata: { resourceVersion: group.metadata.resourceVersion }, status: { conditions } } };
  return plain(await api.patchNamespacedCustomObjectStatus(request, c.k8s.setHeaderOptions('Content-Type', c.k8s.PatchStrategy.MergePatch)));
}

export async function deletePod(c: Cluster, pod: Pod): Promise<void> {
  await c.core.deleteNamespacedPod({ name: pod.metadata.name, namespace: pod.metadata.namespace ?? 'default' });
}

/**
 * An events.k8s.io/v1 Event about a Pod, as kube-scheduler records them: `Scheduled` (action
 * Binding) and `FailedScheduling` (action Scheduling), reportingController = the scheduler name.
 */
export async function recordPodEvent(
  c: Cluster,
  pod: Pod,
  e: { type: 'Normal' | 'Warning'; reason: string; action: string; note: string; controller: string; instance: string },
): Promise<void> {
  const namespace = pod.metadata.namespace ?? 'default';
  const body = {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: { generateName: `${pod.metadata.name}.`, namespace },
    eventTime: new Date().toISOString().replace(/Z$/, '000Z'), // a MicroTime
    regarding: { apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name, namespace, uid: pod.metadata.uid },
    type: e.type,
    reason: e.reason,
    action: e.action,
    note: e.note,
    reportingController: e.controller,
    reportingInstance: e.instance,
  };
  await c.events.createNamespacedEvent({ namespace, body: body as never });
}
