/**
 * The claims a Pod needs, as kube-controller-manager and kube-scheduler make them:
 * - `resourceClaimName`: an existing ResourceClaim in the Pod's namespace;
 * - `resourceClaimTemplateName`: a claim stamped from the template (what the resourceclaim
 *   controller creates), named `<pod>-<claim name>` here (the controller adds a random suffix),
 *   owned by the Pod; a claim already recorded in `status.resourceClaimStatuses` is reused;
 * - extended resources (DRAExtendedResource): container requests of a DeviceClass's
 *   extendedResourceName (or `deviceclass.resource.kubernetes.io/<class>`) on a node that does
 *   not advertise that resource become requests `container-<i>-request-<j>` of one special
 *   claim, as kube-scheduler builds it.
 */

import type { DeviceClass, DeviceRequest, Node, Pod, ResourceClaim, ResourceClaimTemplate } from '../model/types.js';
import { Quantity } from '../model/quantity.js';

export const EXTENDED_CLAIM_ANNOTATION = 'resource.kubernetes.io/extended-resource-claim';
const IMPLICIT_PREFIX = 'deviceclass.resource.kubernetes.io/';

export type ClaimKey = string;
export const claimKey = (namespace: string | undefined, name: string): ClaimKey => `${namespace ?? ''}/${name}`;

export interface ClaimSource {
  claims: ReadonlyMap<ClaimKey, ResourceClaim>;
  templates: ReadonlyMap<ClaimKey, ResourceClaimTemplate>;
}

export interface PodClaims {
  /** Claims of the Pod, in spec.resourceClaims order (existing or newly stamped). */
  claims: ResourceClaim[];
  /** The claims among them that were stamped from templates just now. */
  created: ResourceClaim[];
}

export class PodClaimError extends Error {}

export function podNamespace(pod: Pod): string {
  return pod.metadata.namespace ?? 'default';
}

/**
 * The name of the claim a Pod's `spec.resourceClaims` entry stands for: the named claim, the
 * claim recorded in `status.resourceClaimStatuses`, else the one dralloc stamps from the
 * template (`<pod>-<entry>`); undefined when the entry names neither a claim nor a template.
 */
export function podClaimName(pod: Pod, ref: NonNullable<Pod['spec']['resourceClaims']>[number]): string | undefined {
  if (ref.resourceClaimName) return ref.resourceClaimName;
  if (!ref.resourceClaimTemplateName) return undefined;
  const statuses = (pod.status?.resourceClaimStatuses as { name: string; resourceClaimName?: string }[] | undefined) ?? [];
  return statuses.find((s) => s.name === ref.name)?.resourceClaimName ?? `${pod.metadata.name}-${ref.name}`;
}

export function resolvePodClaims(pod: Pod, src: ClaimSource): PodClaims {
  const ns = podNamespace(pod);
  const out: PodClaims = { claims: [], created: [] };
  for (const ref of pod.spec.resourceClaims ?? []) {
    if (ref.resourceClaimName) {
      const c = src.claims.get(claimKey(ns, ref.resourceClaimName));
      if (!c) throw new PodClaimError(`pod ${ns}/${pod.metadata.name}: resourceclaim "${ref.resourceClaimName}" not found`);
      out.claims.push(c);
      continue;
    }
    if (!ref.resourceClaimTemplateName) {
      throw new PodClaimError(`pod ${ns}/${pod.metadata.name}: spec.resourceClaims[${ref.name}]: neither resourceClaimName nor resourceClaimTemplateName is set`);
    }
    const name = podClaimName(pod, ref)!;
    const existing = src.claims.get(claimKey(ns, name));
    if (existing) {
      out.claims.push(existing);
      continue;
    }
    const t = src.templates.get(claimKey(ns, ref.resourceClaimTemplateName));
    if (!t) {
      throw new PodClaimError(`pod ${ns}/${pod.metadata.name}: resourceclaimtemplate "${ref.resourceClaimTemplateName}" not found`);
    }
    const claim: ResourceClaim = {
      apiVersion: 'resource.k8s.io/v1',
      kind: 'ResourceClaim',
      metadata: {
        ...(t.spec.metadata ?? {}),
        name,
        namespace: ns,
        annotations: { ...(t.spec.metadata?.annotations ?? {}), 'resource.kubernetes.io/pod-claim-name': ref.name },
        ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name, uid: pod.metadata.uid ?? '', controller: true, blockOwnerDeletion: true }],
      },
      // Shared with the template: claim specs are immutable, and sharing lets the engine reuse
      // the compiled problem of every claim stamped from one template.
      spec: t.spec.spec,
    };
    out.claims.push(claim);
    out.created.push(claim);
  }
  return out;
}

const classIndex = new WeakMap<readonly DeviceClass[], Map<string, DeviceClass>>();

/** Extended resource name (explicit or implicit) → DeviceClass; a later class wins over an earlier one naming the same resource. */
function extendedResourceClasses(classes: readonly DeviceClass[]): Map<string, DeviceClass> {
  let byResource = classIndex.get(classes);
  if (!byResource) {
    byResource = new Map();
    for (const c of classes) {
      byResource.set(IMPLICIT_PREFIX + c.metadata.name, c);
      if (c.spec?.extendedResourceName) byResource.set(c.spec.extendedResourceName, c);
    }
    classIndex.set(classes, byResource);
  }
  return byResource;
}

interface Container {
  resources?: { requests?: Record<string, string | number>; limits?: Record<string, string | number> };
}

/**
 * The extended-resource claim for a Pod on a node, or undefined when the Pod asks for no
 * DRA-backed extended resource there. `classes`: every DeviceClass (the one created last wins
 * when two name the same resource, as upstream; input order stands in for creation time).
 */
export function extendedResourceClaim(pod: Pod, node: Node, classes: readonly DeviceClass[]): ResourceClaim | undefined {
  const containers = (pod.spec.containers ?? []) as Container[];
  if (!containers.some((c) => c.resources?.requests || c.resources?.limits)) return undefined;
  const byResource = extendedResourceClasses(classes);
  const allocatable = node.status?.allocatable ?? {};
  const requests: DeviceRequest[] = [];
  containers.forEach((container, i) => {
    const wanted = { ...(container.resources?.limits ?? {}), ...(container.resources?.requests ?? {}) };
    Object.keys(wanted)
      .sort()
      .forEach((resource, j) => {
        const cls = byResource.get(resource);
        if (!cls) return;
        // A node whose device plugin advertises the resource keeps using it (NodeResourcesFit).
        if (allocatable[resource] !== undefined && Quantity.parse(String(allocatable[resource])).sign() > 0) return;
        const count = Number(Quantity.parse(String(wanted[resource])).value());
        if (count <= 0) return;
        requests.push({ name: `container-${i}-request-${j}`, exactly: { deviceClassName: cls.metadata.name, allocationMode: 'ExactCount', count } });
      });
  });
  if (requests.length === 0) return undefined;
  return {
    apiVersion: 'resource.k8s.io/v1',
    kind: 'ResourceClaim',
    metadata: {
      name: `${pod.metadata.name}-extended-resources`,
      namespace: podNamespace(pod),
      annotations: { [EXTENDED_CLAIM_ANNOTATION]: 'true' },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name, uid: pod.metadata.uid ?? '', controller: true }],
    },
    spec: { devices: { requests } },
  };
}
