/**
 * The Kubernetes objects dralloc reads, in their `resource.k8s.io/v1` (and core `v1`) JSON shape.
 * Only the fields allocation depends on are typed; everything else is carried through untouched.
 * These types describe *decoded* objects: `decode.ts` has checked every typed field's JSON type,
 * so code downstream may trust them (but not API-server validity: the allocator sees objects
 * exactly as the API server stored them, and some conformance cases are deliberately invalid).
 */

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [k: string]: unknown;
}

export interface KObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  [k: string]: unknown;
}

// ---- core/v1 node selection ------------------------------------------------------------------

export interface NodeSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}
export interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[];
  matchFields?: NodeSelectorRequirement[];
}
export interface NodeSelector {
  nodeSelectorTerms: NodeSelectorTerm[];
}

export interface Node extends KObject {
  kind: 'Node';
  metadata: ObjectMeta & { name: string };
  status?: { allocatable?: Record<string, string>; [k: string]: unknown };
}

/** Only its labels matter: `resource.kubernetes.io/admin-access: "true"` admits adminAccess claims. */
export interface Namespace extends KObject {
  kind: 'Namespace';
  metadata: ObjectMeta & { name: string };
}

// ---- ResourceSlice ---------------------------------------------------------------------------

/** Exactly one of the four is set by a valid driver; the allocator tolerates anything. */
export interface DeviceAttribute {
  bool?: boolean;
  int?: number | bigint;
  string?: string;
  version?: string;
  bools?: boolean[];
  ints?: (number | bigint)[];
  strings?: string[];
  versions?: string[];
}

export interface CapacityRequestPolicy {
  default?: string;
  validValues?: string[];
  validRange?: { min?: string; max?: string; step?: string };
}
export interface DeviceCapacity {
  value: string;
  requestPolicy?: CapacityRequestPolicy;
}
export interface Counter {
  value: string;
}
export interface DeviceCounterConsumption {
  counterSet: string;
  counters: Record<string, Counter>;
}
export interface CounterSet {
  name: string;
  counters: Record<string, Counter>;
}
export interface DeviceTaint {
  key: string;
  value?: string;
  effect: string;
  timeAdded?: string;
}

export interface Device {
  name: string;
  attributes?: Record<string, DeviceAttribute>;
  capacity?: Record<string, DeviceCapacity>;
  consumesCounters?: DeviceCounterConsumption[];
  nodeName?: string;
  nodeSelector?: NodeSelector;
  allNodes?: boolean;
  taints?: DeviceTaint[];
  bindsToNode?: boolean;
  bindingConditions?: string[];
  bindingFailureConditions?: string[];
  allowMultipleAllocations?: boolean;
}

export interface ResourcePool {
  name: string;
  generation: number;
  resourceSliceCount: number;
}

export interface ResourceSliceSpec {
  driver: string;
  pool: ResourcePool;
  nodeName?: string;
  nodeSelector?: NodeSelector;
  allNodes?: boolean;
  perDeviceNodeSelection?: boolean;
  devices?: Device[];
  sharedCounters?: CounterSet[];
}
export interface ResourceSlice extends KObject {
  kind: 'ResourceSlice';
  spec: ResourceSliceSpec;
}

// ---- DeviceClass -------------------------------------------------------------------------------

export interface DeviceSelector {
  cel?: { expression: string };
}
export interface OpaqueDeviceConfiguration {
  driver: string;
  parameters: unknown;
}
export interface DeviceClassConfiguration {
  opaque?: OpaqueDeviceConfiguration;
}
export interface DeviceClass extends KObject {
  kind: 'DeviceClass';
  metadata: ObjectMeta & { name: string };
  spec: {
    selectors?: DeviceSelector[];
    config?: DeviceClassConfiguration[];
    extendedResourceName?: string;
  };
}

// ---- ResourceClaim -----------------------------------------------------------------------------

export interface DeviceToleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

/** The fields an `exactly` request and a `firstAvailable` subrequest share. */
export interface DeviceRequestCore {
  deviceClassName: string;
  selectors?: DeviceSelector[];
  allocationMode?: string;
  count?: number;
  tolerations?: DeviceToleration[];
  capacity?: { requests?: Record<string, string> };
}
export interface ExactDeviceRequest extends DeviceRequestCore {
  adminAccess?: boolean;
}
export interface DeviceSubRequest extends DeviceRequestCore {
  name: string;
}
export interface DeviceRequest {
  name: string;
  exactly?: ExactDeviceRequest;
  firstAvailable?: DeviceSubRequest[];
}
export interface DeviceConstraint {
  requests?: string[];
  matchAttribute?: string;
  distinctAttribute?: string;
}
export interface DeviceClaimConfiguration {
  requests?: string[];
  opaque?: OpaqueDeviceConfiguration;
}
export interface ResourceClaimSpec {
  devices?: {
    requests?: DeviceRequest[];
    constraints?: DeviceConstraint[];
    config?: DeviceClaimConfiguration[];
  };
}

export interface DeviceRequestAllocationResult {
  request: string;
  driver: string;
  pool: string;
  device: string;
  adminAccess?: boolean;
  tolerations?: DeviceToleration[];
  bindingConditions?: string[];
  bindingFailureConditions?: string[];
  shareID?: string;
  consumedCapacity?: Record<string, string>;
}
export interface DeviceAllocationConfiguration {
  source: 'FromClass' | 'FromClaim';
  requests?: string[];
  opaque?: OpaqueDeviceConfiguration;
}
export interface AllocationResult {
  devices?: {
    results?: DeviceRequestAllocationResult[];
    config?: DeviceAllocationConfiguration[];
  };
  nodeSelector?: NodeSelector;
  allocationTimestamp?: string;
}
export interface ResourceClaimStatus {
  allocation?: AllocationResult;
  reservedFor?: { apiGroup?: string; resource: string; name: string; uid: string }[];
  [k: string]: unknown;
}
export interface ResourceClaim extends KObject {
  kind: 'ResourceClaim';
  metadata: ObjectMeta;
  spec: ResourceClaimSpec;
  status?: ResourceClaimStatus;
}

export interface ResourceClaimTemplate extends KObject {
  kind: 'ResourceClaimTemplate';
  metadata: ObjectMeta & { name: string };
  spec: { metadata?: ObjectMeta; spec: ResourceClaimSpec };
}

export interface Pod extends KObject {
  kind: 'Pod';
  metadata: ObjectMeta & { name: string };
  spec: {
    nodeName?: string;
    schedulerName?: string;
    priority?: number;
    resourceClaims?: { name: string; resourceClaimName?: string; resourceClaimTemplateName?: string }[];
    /** The PodGroup (scheduling.k8s.io/v1alpha2, same namespace) the Pod belongs to (GenericWorkload). */
    schedulingGroup?: { podGroupName?: string };
    containers?: unknown[];
    [k: string]: unknown;
  };
  status?: Record<string, unknown>;
}

export interface DeviceTaintRule extends KObject {
  kind: 'DeviceTaintRule';
  metadata: ObjectMeta & { name: string };
  spec: {
    deviceSelector?: { driver?: string; pool?: string; device?: string };
    taint: DeviceTaint;
  };
}

// ---- scheduling.k8s.io/v1alpha2 (Kubernetes v1.36, alpha: GenericWorkload) ----------------------

/** Exactly one of `basic` and `gang` (API-server validated; decoded as given). */
export interface PodGroupSchedulingPolicy {
  basic?: Record<string, unknown>;
  /** All-or-nothing: at least `minCount` (≥ 1) Pods are placed together, or none. */
  gang?: { minCount: number };
}
/** A claim shared by the group's Pods (DRAWorkloadResourceClaims, alpha): exactly one source. */
export interface PodGroupResourceClaim {
  name: string;
  resourceClaimName?: string;
  resourceClaimTemplateName?: string;
}
export interface PodGroup extends KObject {
  kind: 'PodGroup';
  metadata: ObjectMeta & { name: string };
  spec: {
    podGroupTemplateRef?: { workload?: { workloadName: string; podGroupTemplateName: string } };
    schedulingPolicy: PodGroupSchedulingPolicy;
    resourceClaims?: PodGroupResourceClaim[];
    [k: string]: unknown;
  };
  status?: Record<string, unknown>;
}

export type DraObject =
  | Node
  | Namespace
  | ResourceSlice
  | DeviceClass
  | ResourceClaim
  | ResourceClaimTemplate
  | Pod
  | PodGroup
  | DeviceTaintRule;

/**
 * Where an object came from, for error messages: `file` (or `<stdin>`), 0-based document index,
 * and for an object that was an item of a `kind: List` document its 0-based index in `items`.
 */
export interface Origin {
  file: string;
  doc: number;
  item?: number;
}
