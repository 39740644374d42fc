/**
 * What a workload generator produces, and the object builders every generator shares.
 * Objects are plain decoded v1 objects (src/model/types.ts shapes) that `loadText` accepts
 * unchanged; nothing in them depends on the clock or the machine, only on (scale, seed).
 */

import type {
  DeviceAttribute,
  DeviceClass,
  Node,
  Pod,
  PodGroup,
  ResourceClaim,
  ResourceClaimSpec,
  ResourceClaimTemplate,
  ResourceSlice,
  ResourceSliceSpec,
} from '../model/types.js';
import type { Random } from './random.js';

/** The namespace of every generated Pod and ResourceClaimTemplate. */
export const NAMESPACE = 'default';

/** A generated cluster (classes, nodes, slices) and the Pods to place on it (with their templates). */
export interface Workload {
  classes: DeviceClass[];
  nodes: Node[];
  slices: ResourceSlice[];
  templates: ResourceClaimTemplate[];
  /** In arrival order; each references templates by name through spec.resourceClaims. */
  pods: Pod[];
  /** Claims already allocated: devices in use before the Pods arrive (part of the cluster). */
  claims?: ResourceClaim[];
  /** The PodGroups the Pods name (spec.schedulingGroup). */
  podGroups?: PodGroup[];
}

/** A named workload: `generate(scale, rng)` is a pure function of its arguments. */
export interface WorkloadDef {
  name: string;
  /** One line for `dralloc gen` and docs/gen.md. */
  summary: string;
  /** The scale (number of nodes) used when none is given. */
  defaultScale: number;
  /**
   * The largest scale `dralloc gen` accepts: about 1 GB of generator memory (the objects are
   * built and serialised in memory; beyond this V8 runs out of heap after minutes of work).
   */
  maxScale: number;
  generate(scale: number, rng: Random): Workload;
}

/** `prefix-0007`: zero-padded to the width of `count` (at least 4 digits) so names sort by index. */
export function indexedName(prefix: string, i: number, count: number): string {
  return `${prefix}-${String(i).padStart(Math.max(4, String(count).length), '0')}`;
}

const ZONES = ['zone-a', 'zone-b', 'zone-c'];

/** A Node labelled with its hostname and a zone picked by `rng`. */
export function node(name: string, rng: Random): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, 'topology.kubernetes.io/zone': rng.pick(ZONES) } },
  };
}

/** A DeviceClass whose devices must match every CEL expression. */
export function deviceClass(name: string, ...expressions: string[]): DeviceClass {
  return {
    apiVersion: 'resource.k8s.io/v1',
    kind: 'DeviceClass',
    metadata: { name },
    spec: { selectors: expressions.map((expression) => ({ cel: { expression } })) },
  };
}

/** The CEL expression for `device.attributes[driver].name == "value"`. */
export function attributeIs(driver: string, name: string, value: string): string {
  return `device.attributes["${driver}"].${name} == ${JSON.stringify(value)}`;
}

/** The CEL expression selecting a driver's devices. */
export function driverIs(driver: string): string {
  return `device.driver == ${JSON.stringify(driver)}`;
}

/**
 * A node-local ResourceSlice of pool `node` (generation 1): `body` holds either `devices` or
 * `sharedCounters`, `sliceCount` is the number of slices the pool has.
 */
export function nodeSlice(name: string, node: string, driver: string, sliceCount: number, body: Pick<ResourceSliceSpec, 'devices' | 'sharedCounters'>): ResourceSlice {
  return {
    apiVersion: 'resource.k8s.io/v1',
    kind: 'ResourceSlice',
    metadata: { name },
    spec: { driver, pool: { name: node, generation: 1, resourceSliceCount: sliceCount }, nodeName: node, ...body },
  };
}

export const str = (string: string): DeviceAttribute => ({ string });
export const int = (value: number): DeviceAttribute => ({ int: value });
export const version = (v: string): DeviceAttribute => ({ version: v });

/** A ResourceClaimTemplate in NAMESPACE. */
export function claimTemplate(name: string, spec: ResourceClaimSpec): ResourceClaimTemplate {
  return {
    apiVersion: 'resource.k8s.io/v1',
    kind: 'ResourceClaimTemplate',
    metadata: { name, namespace: NAMESPACE },
    spec: { spec },
  };
}

/**
 * A Pod in NAMESPACE with one container that uses every claim: `claims` maps the Pod's claim
 * name to the ResourceClaimTemplate it is stamped from.
 */
export function pod(name: string, claims: Record<string, string>): Pod {
  const names = Object.keys(claims);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NAMESPACE },
    spec: {
      resourceClaims: names.map((claim) => ({ name: claim, resourceClaimTemplateName: claims[claim] })),
      containers: [{ name: 'main', image: 'registry.example.com/workload:1.0', resources: { claims: names.map((claim) => ({ name: claim })) } }],
    },
  };
}

/** Pods `prefix-pod-NNNN` for i in [0, count), each using the template `templateOf(i)` as claim `claim`. */
export function podsFor(prefix: string, count: number, claim: string, templateOf: (i: number) => string): Pod[] {
  return Array.from({ length: count }, (_, i) => pod(indexedName(`${prefix}-pod`, i, count), { [claim]: templateOf(i) }));
}
