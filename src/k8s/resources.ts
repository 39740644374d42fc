/**
 * The resources dralloc reads from a cluster: for each kind, its API version, the path its
 * watches use, and the typed client-node list call. DeviceTaintRule is served as
 * resource.k8s.io/v1beta2 (v1.36) or v1alpha3 (older clusters); `resolveKinds` finds which.
 * PodGroup (scheduling.k8s.io/v1alpha2, alpha in v1.36) is read only where it is served.
 *
 * Pods and PodGroups are listed as raw JSON: client-node 1.4's models predate
 * `spec.schedulingGroup` and PodGroup, and its typed lists drop fields their models lack.
 */

import type { DraObject } from '../model/types.js';
import { httpStatus, type Cluster } from './connect.js';
import { observable, rawAnswer } from './raw.js';

export type LiveKindName = 'Node' | 'ResourceSlice' | 'DeviceClass' | 'ResourceClaim' | 'ResourceClaimTemplate' | 'Pod' | 'DeviceTaintRule' | 'PodGroup';

/** What a list call returns (typed models from client-node; see normalize.ts). */
export interface ListResult {
  items: unknown[];
  metadata?: { resourceVersion?: string };
}

export interface LiveKind {
  kind: LiveKindName;
  apiVersion: string;
  /** Collection path across all namespaces (lists and watches). */
  path: string;
  list(c: Cluster): Promise<ListResult>;
}

const V1 = '/apis/resource.k8s.io/v1';

export const LIVE_KINDS: readonly LiveKind[] = [
  { kind: 'Node', apiVersion: 'v1', path: '/api/v1/nodes', list: (c) => c.core.listNode() },
  { kind: 'DeviceClass', apiVersion: 'resource.k8s.io/v1', path: `${V1}/deviceclasses`, list: (c) => c.resource.listDeviceClass() },
  { kind: 'ResourceSlice', apiVersion: 'resource.k8s.io/v1', path: `${V1}/resourceslices`, list: (c) => c.resource.listResourceSlice() },
  { kind: 'ResourceClaim', apiVersion: 'resource.k8s.io/v1', path: `${V1}/resourceclaims`, list: (c) => c.resource.listResourceClaimForAllNamespaces() },
  {
    kind: 'ResourceClaimTemplate',
    apiVersion: 'resource.k8s.io/v1',
    path: `${V1}/resourceclaimtemplates`,
    list: (c) => c.resource.listResourceClaimTemplateForAllNamespaces(),
  },
  { kind: 'Pod', apiVersion: 'v1', path: '/api/v1/pods', list: (c) => rawAnswer<ListResult>((options) => c.core.listPodForAllNamespaces({}, options)) },
  {
    kind: 'DeviceTaintRule',
    apiVersion: 'resource.k8s.io/v1beta2',
    path: '/apis/resource.k8s.io/v1beta2/devicetaintrules',
    // client-node 1.4 (the last that runs on Node 20, see README) has no v1beta2 DeviceTaintRule
    // API: the v1alpha3 call, sent to the v1beta2 path (the objects have the same fields but
    // status, which dralloc does not read).
    list: (c) => c.resourceAlpha3.listDeviceTaintRule({}, { middleware: [TO_V1BETA2 as never], middlewareMergeStrategy: 'append' }),
  },
  {
    kind: 'PodGroup',
    apiVersion: 'scheduling.k8s.io/v1alpha2',
    path: '/apis/scheduling.k8s.io/v1alpha2/podgroups',
    list: (c) => c.kc.makeApiClient(c.k8s.CustomObjectsApi).listClusterCustomObject({ group: 'scheduling.k8s.io', version: 'v1alpha2', plural: 'podgroups' }) as Promise<ListResult>,
  },
];

/**
 * Rewrites a request URL from resource.k8s.io/v1alpha3 to v1beta2: a client-node middleware,
 * which client-node 1.4 calls expecting its Observable stub (`toPromise`, `pipe`) back.
 */
const TO_V1BETA2 = {
  pre: <C extends { getUrl(): string; setUrl(url: string): void }>(ctx: C) => {
    ctx.setUrl(ctx.getUrl().replace('/apis/resource.k8s.io/v1alpha3/', '/apis/resource.k8s.io/v1beta2/'));
    return observable(Promise.resolve(ctx));
  },
  post: <R>(response: R) => observable(Promise.resolve(response)),
};

const TAINT_RULES_ALPHA: LiveKind = {
  kind: 'DeviceTaintRule',
  apiVersion: 'resource.k8s.io/v1alpha3',
  path: '/apis/resource.k8s.io/v1alpha3/devicetaintrules',
  list: (c) => c.resourceAlpha3.listDeviceTaintRule(),
};

/**
 * The kinds this cluster serves: DeviceTaintRule falls back to v1alpha3 when v1beta2 is not
 * served (404) and is left out, with a warning, when neither is (DRADeviceTaints off); PodGroup
 * is left out, with a warning, when scheduling.k8s.io/v1alpha2 is not served (404) or not
 * readable (403: a deployment whose RBAC predates gangs keeps scheduling everything else).
 * Returns the first list of each kind it had to make, so that callers need not list again.
 */
export async function resolveKinds(c: Cluster, warn: (w: string) => void): Promise<{ kinds: LiveKind[]; probed: Map<LiveKindName, ListResult> }> {
  const kinds: LiveKind[] = [];
  const probed = new Map<LiveKindName, ListResult>();
  for (const k of LIVE_KINDS) {
    if (k.kind === 'PodGroup') {
      try {
        probed.set(k.kind, await k.list(c));
        kinds.push(k);
      } catch (e) {
        const code = httpStatus(e);
        if (code !== 404 && code !== 403) throw e;
        warn(`${c.server}: PodGroups are ${code === 404 ? 'not served (scheduling.k8s.io/v1alpha2: GenericWorkload off)' : 'not readable (403: RBAC)'}; Pods naming a PodGroup wait for it`);
      }
      continue;
    }
    if (k.kind !== 'DeviceTaintRule') {
      kinds.push(k);
      continue;
    }
    for (const candidate of [k, TAINT_RULES_ALPHA]) {
      try {
        probed.set(k.kind, await candidate.list(c));
        kinds.push(candidate);
        break;
      } catch (e) {
        if (httpStatus(e) !== 404) throw e;
      }
    }
    if (!probed.has(k.kind)) warn(`${c.server}: DeviceTaintRules are not served (resource.k8s.io v1beta2 and v1alpha3 both 404); taint rules are ignored`);
  }
  return { kinds, probed };
}

/** `namespace/name` (or `name`) of an object, the key of the caches. */
export function objectKey(o: { metadata?: { name?: string; namespace?: string } }): string {
  const ns = o.metadata?.namespace;
  return ns ? `${ns}/${o.metadata?.name ?? ''}` : (o.metadata?.name ?? '');
}

export type LiveObject = DraObject & { kind: LiveKindName };
