/**
 * What `dralloc explain` answers, as plain data (JSON-serialisable, no class instances), so
 * that the CLI, `schedule`'s unschedulable messages and tests read the same thing.
 */

/**
 * The funnel's stages, in order. A device reaches stage k only when it passed stages 0..k-1:
 * - `reachable`: in a complete, valid pool the node can use (and serving the node, for
 *   per-device node selection; binding conditions only with DRADeviceBindingConditions);
 * - `class`: every selector of the request's DeviceClass is true;
 * - `selectors`: every selector of the request itself is true;
 * - `free`: not allocated already (admin access ignores allocations);
 * - `untainted`: every NoSchedule/NoExecute taint is tolerated (DRADeviceTaints);
 * - `fits`: shared counters and consumable capacity left cover what it needs;
 * - `constraints`: has the constrained attributes with a value the other requests can share
 *   (matchAttribute) or a value not yet taken (distinctAttribute).
 */
export const STAGES = ['reachable', 'class', 'selectors', 'free', 'untainted', 'fits', 'constraints'] as const;
export type Stage = (typeof STAGES)[number];

export interface StageCount {
  stage: Stage;
  /** Devices that passed this stage and every stage before it. */
  count: number;
}

/** A device that failed at the funnel's failing stage, and why. */
export interface NearMiss {
  /** `driver/pool/device`. */
  device: string;
  reason: string;
}

/** The funnel of one request, or of one subrequest of a `firstAvailable` list. */
export interface RequestFunnel {
  /** `req` or `req/sub`, as allocation results name it. */
  request: string;
  deviceClass: string;
  mode: 'ExactCount' | 'All';
  /** Devices the request needs at the end of the funnel (All: every device that matches the selectors, at least one). */
  needed: number;
  stages: StageCount[];
  /** The first stage whose count is below `needed`; absent when the funnel ends with enough devices. */
  failedAt?: Stage;
  /** Devices that dropped out at `failedAt` (those that came closest), at most `MAX_NEAR_MISSES`. */
  nearMisses: NearMiss[];
  /** How many devices dropped out at `failedAt` in all. */
  droppedAtFailure: number;
}

/** One request of the claim: its funnel, or one funnel per subrequest (tried in order). */
export interface RequestExplanation {
  name: string;
  funnels: RequestFunnel[];
  /** Every funnel failed: the request cannot be satisfied on this node whatever the others do. */
  blocked: boolean;
}

export type Verdict = 'allocatable' | 'unsatisfiable' | 'error' | 'allocated';

export interface NodeExplanation {
  node: string;
  /** What `Engine.allocate([claim], {node})` answers (`allocated`: the claim already has an allocation). */
  verdict: Verdict;
  /** The allocator's message for `error`/`unsatisfiable`. */
  message?: string;
  /** One line, the same for every node that fails the same way (used to group nodes). */
  reason: string;
  requests: RequestExplanation[];
  /** Pools the node sees but the allocator leaves out (incomplete or invalid). */
  notes: string[];
}

export interface Explanation {
  /** `namespace/name` of the claim. */
  claim: string;
  nodes: NodeExplanation[];
  /**
   * Selector lookups of attributes or capacities no device of the input has, with the closest
   * one that exists (selector-hints.ts); absent when there are none.
   */
  hints?: string[];
}

export const MAX_NEAR_MISSES = 10;
