/**
 * The claims a Pod needs, as kube-controller-manager and kube-scheduler make them:
 * - `resourceClaimName`: an existing ResourceClaim in the Pod's namespace;
 * - `resourceClaimTemplateName`: a claim stamped from the template (what the resourceclaim
 *   controller creates), named `<pod>-<claim name>` here (the controller adds a random suffix),
 *   owned by the Pod; a claim already recorded in `status.resourceClaimStatuses` is reused;
 * - a Pod of a PodGroup whose `spec.resourceClaims` has an entry equal to the Pod's in every
 *   field (DRAWorkloadResourceClaims, alpha) uses the group's claim instead: the named claim, or
 *   the one stamped once for the group (`<podgroup>-<claim name>`, owned by the PodGroup, or the
 *   one recorded in the PodGroup's `status.resourceClaimStatuses`); such claims are reserved
 *   for the PodGroup, not for each Pod (`forGroup`);
 * - extended resources (DRAExtendedResource): container requests of a DeviceClass's
 *   extendedResourceName (or `deviceclass.resource.kubernetes.io/<class>`) on a node that does
 *   not advertise that resource become requests `container-<i>-request-<j>` of one special
 *   claim, as kube-scheduler builds it.
 */

import type { DeviceClass, DeviceRequest, Node, Pod, PodGroup, PodGroupResourceClaim, ResourceClaim, ResourceClaimTemplate } from '../model/types.js';
import { Quantity } from '../model/quantity.js';
import { claimKey, type ClaimKey } from '../model/keys.js';

export const EXTENDED_CLAIM_ANNOTATION = 'resource.kubernetes.io/extended-resource-claim';
const IMPLICIT_PREFIX = 'deviceclass.resource.kubernetes.io/';

export { claimKey, type ClaimKey } from '../model/keys.js';

export interface ClaimSource {
  claims: ReadonlyMap<ClaimKey, ResourceClaim>;
  templates: ReadonlyMap<ClaimKey, ResourceClaimTemplate>;
}

export interface PodClaims {
  /** Claims of the Pod, in spec.resourceClaims order (existing or newly stamped). */
  claims: ResourceClaim[];
  /** The key (`claimKey`) of each claim of `claims`. */
  keys: ClaimKey[];
  /** The claims among them that were stamped from templates just now. */
  created: ResourceClaim[];
  /** The claims among them the Pod uses through its PodGroup: reserved for the group, not the Pod. */
  forGroup: ReadonlySet<ResourceClaim>;
}

/** `forGroup` of a Pod without a sharing PodGroup (shared by all such Pods). */
const NO_CLAIMS: ReadonlySet<ResourceClaim> = new Set();

type PodClaimRef = NonNullable<Pod['spec']['resourceClaims']>[number];

/** The entry of the group's `spec.resourceClaims` the Pod's entry stands for: one equal to it in every field. */
export function groupClaimOf(group: PodGroup | undefined, ref: PodClaimRef): PodGroupResourceClaim | undefined {
  return group?.spec.resourceClaims?.find(
    (g) => g.name === ref.name && (g.resourceClaimName ?? '') === (ref.resourceClaimName ?? '') && (g.resourceClaimTemplateName ?? '') === (ref.resourceClaimTemplateName ?? ''),
  );
}

/** The name of the claim a group's template entry stands for: the one recorded in the group's status, else `<podgroup>-<entry>`. */
function groupClaimName(group: PodGroup, ref: PodGroupResourceClaim): string {
  const statuses = (group.status?.resourceClaimStatuses as { name: string; resourceClaimName?: string }[] | undefined) ?? [];
  return statuses.find((s) => s.name === ref.name)?.resourceClaimName ?? `${group.metadata.name}-${ref.name}`;
}

/** Names of the claims a PodGroup's spec.resourceClaims entries stand for (a named claim, or the one made from a template). */
export function groupClaimNames(group: PodGroup): string[] {
  return (group.spec.resourceClaims ?? []).flatMap((ref) => ref.resourceClaimName ?? (ref.resourceClaimTemplateName ? groupClaimName(group, ref) : []));
}

/** The Pod's PodGroup when its resourceClaims are shared: DRAWorkloadResourceClaims on (`gate`) and the group in `groups` (by namespace/name). */
export function sharingGroup(pod: Pod, gate: boolean, groups: ReadonlyMap<string, PodGroup>): PodGroup | undefined {
  const name = pod.spec.schedulingGroup?.podGroupName;
  return name && gate ? groups.get(claimKey(podNamespace(pod), name)) : undefined;
}

/** The consumer reference of a PodGroup in a claim's `status.reservedFor` (as kube-scheduler writes it). */
export function podGroupConsumer(group: PodGroup): { apiGroup: string; resource: string; name: string; uid: string } {
  return { apiGroup: 'scheduling.k8s.io', resource: 'podgroups', name: group.metadata.name, uid: group.metadata.uid ?? '' };
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
  const statuses = pod.status?.resourceClaimStatuses as { name: string; resourceClaimName?: string }[] | undefined;
  const recorded = statuses && statuses.find((s) => s.name === ref.name)?.resourceClaimName;
  return recorded ?? `${pod.metadata.name}-${ref.name}`;
}

/**
 * The Pod's claims from `src`, stamping missing template claims. `group`: the Pod's PodGroup when
 * its claims are to be shared (DRAWorkloadResourceClaims on); undefined otherwise.
 */
export function resolvePodClaims(pod: Pod, src: ClaimSource, group?: PodGroup): PodClaims {
  const ns = podNamespace(pod);
  const refs = pod.spec.resourceClaims ?? [];
  const forGroup = group ? new Set<ResourceClaim>() : undefined;
  // Arrays of their final length (most Pods have one claim: a growing array would reserve 16).
  const out: PodClaims = { claims: new Array(refs.length), keys: new Array(refs.length), created: [], forGroup: forGroup ?? NO_CLAIMS };
  for (let i = 0; i < refs.length; i++) {
    const ref = refs[i];
    const shared = group && groupClaimOf(group, ref);
    let key: ClaimKey;
    let claim: ResourceClaim | undefined;
    if (ref.resourceClaimName) {
      key = claimKey(ns, ref.resourceClaimName);
      claim = src.claims.get(key);
      if (!claim) throw new PodClaimError(`pod ${ns}/${pod.metadata.name}: resourceclaim "${ref.resourceClaimName}" not found`);
    } else {
      if (!ref.resourceClaimTemplateName) {
        throw new PodClaimError(`pod ${ns}/${pod.metadata.name}: spec.resourceClaims[${ref.name}]: neither resourceClaimName nor resourceClaimTemplateName is set`);
      }
      const name = shared ? groupClaimName(group, shared) : podClaimName(pod, ref)!;
      key = claimKey(ns, name);
      claim = src.claims.get(key);
      if (!claim) {
        const t = src.templates.get(templateKey(ns, ref.resourceClaimTemplateName));
        if (!t) {
          throw new PodClaimError(`pod ${ns}/${pod.metadata.name}: resourceclaimtemplate "${ref.resourceClaimTemplateName}" not found`);
        }
        claim = shared
          ? stamp(t, name, ns, { apiVersion: 'scheduling.k8s.io/v1alpha2', kind: 'PodGroup', name: group.metadata.name, uid: group.metadata.uid ?? '', controller: true, blockOwnerDeletion: true })
          : stamp(t, name, ns, { apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name, uid: pod.metadata.uid ?? '', controller: true, blockOwnerDeletion: true }, { 'resource.kubernetes.io/pod-claim-name': ref.name });
        out.created = out.created.length === 0 ? [claim] : [...out.created, claim];
      }
    }
    out.claims[i] = claim;
    out.keys[i] = key;
    if (shared) forGroup!.add(claim);
  }
  return out;
}

/**
 * The last template key made, and what it was made of: most Pods of a batch name the template
 * of the Pod before them, whose key string (its hash computed once) then serves again.
 */
let lastTemplate = { namespace: '', name: '', key: claimKey('', '') };

/** `claimKey(namespace, name)` of a template, the string of the call before when it is the same. */
function templateKey(namespace: string, name: string): ClaimKey {
  const last = lastTemplate;
  if (last.namespace === namespace && last.name === name) return last.key;
  lastTemplate = { namespace, name, key: claimKey(namespace, name) };
  return lastTemplate.key;
}

interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller: boolean;
  blockOwnerDeletion: boolean;
}

/** A claim made from template `t`, as the resourceclaim controller makes it, owned by `owner`. */
function stamp(t: ResourceClaimTemplate, name: string, namespace: string, owner: OwnerReference, annotations: Record<string, string> = {}): ResourceClaim {
  const from = t.spec.metadata;
  // Most templates have no metadata: then the claim's is built without spreading anything.
  const metadata = from
    ? { ...from, name, namespace, annotations: { ...from.annotations, ...annotations }, ownerReferences: [owner] }
    : { name, namespace, annotations, ownerReferences: [owner] };
  return {
    apiVersion: 'resource.k8s.io/v1',
    kind: 'ResourceClaim',
    metadata,
    // Shared with the template: claim specs are immutable, and sharing lets the engine reuse
    // the compiled problem of every claim stamped from one template.
    spec: t.spec.spec,
    // Its field from the start, empty (JSON and YAML leave it out): the batch commit sets it in
    // place, which for a field added later would cost every claim a separate property store.
    status: undefined,
  };
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
      name: extendedClaimName(pod),
      namespace: podNamespace(pod),
      annotations: { [EXTENDED_CLAIM_ANNOTATION]: 'true' },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name, uid: pod.metadata.uid ?? '', controller: true }],
    },
    spec: { devices: { requests } },
  };
}

/** The name of the claim dralloc makes for a Pod's extended resources backed by DRA devices. */
export function extendedClaimName(pod: Pod): string {
  return `${pod.metadata.name}-extended-resources`;
}
