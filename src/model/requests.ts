/**
 * The pre-pass over the claims to allocate (upstream `Allocate` before the search, and
 * `validateDeviceRequest`): resolve classes, check what disabled features would need, count
 * devices, enforce the per-claim result limit, instantiate constraints. Errors carry upstream's
 * texts and come in upstream's order.
 */

import type { DeviceClass, DeviceRequestCore, ResourceClaim } from './types.js';
import type { Features } from '../features.js';
import { AllocationError } from './errors.js';
import { MAX_RESULTS_PER_CLAIM } from '../wasm/layout.js';

/** One thing the search allocates devices for: a request without subrequests, or one subrequest. */
export interface Slot {
  claim: number;
  /** Index of the request among all requests of all claims (claims in order). */
  request: number;
  /** Index of the subrequest, -1 for a request without subrequests. */
  sub: number;
  /** `req` or `req/sub`, as results and configs name it. */
  name: string;
  /** The request's own name (the parent for a subrequest) and the subrequest's name or ''. */
  parentName: string;
  subName: string;
  spec: DeviceRequestCore;
  adminAccess: boolean;
  /** Whether the request sets adminAccess at all (even to false): upstream's `hasAdminAccess`. */
  adminAccessSet: boolean;
  deviceClass: DeviceClass;
  mode: 'ExactCount' | 'All';
  /** Devices needed (for All: how many there are). */
  numDevices: number;
  /** All mode: the devices (node-view indices) it must take, in order. */
  allDevices: number[];
}

export interface RequestPlan {
  claim: number;
  name: string;
  hasSubs: boolean;
  slots: Slot[];
}

export interface ConstraintPlan {
  claim: number;
  kind: 'match' | 'distinct';
  attribute: string;
  /** Request names the constraint is limited to; empty = every request of the claim. */
  requests: string[];
}

export interface Plan {
  requests: RequestPlan[];
  slots: Slot[];
  constraints: ConstraintPlan[];
}

const NO_CAPACITY = 'has capacity requests, but the DRAConsumableCapacity feature is disabled';

function hasCapacityRequests(r: DeviceRequestCore | undefined): boolean {
  return Object.keys(r?.capacity?.requests ?? {}).length > 0;
}

/**
 * Whether kube-scheduler would pick upstream's "stable" allocator for these features: the
 * first implementation that supports every enabled feature (stable: admin access, prioritized
 * list, partitionable devices, device taints). Only the newer ones know distinctAttribute.
 */
export function usesStableAllocator(f: Features): boolean {
  return !f.consumableCapacity && !f.deviceBinding && !f.listTypeAttributes;
}

/** `namespace/name` or `name`, as klog.KObj prints a claim. */
export function claimRef(c: ResourceClaim): string {
  const name = c.metadata?.name ?? '';
  return c.metadata?.namespace ? `${c.metadata.namespace}/${name}` : name;
}

export interface PlanContext {
  features: Features;
  classes: ReadonlyMap<string, DeviceClass>;
  /** Enumerates the devices of an All slot (may throw AllocationError, e.g. for an incomplete pool). */
  allDevices(slot: Slot): number[];
}

export function planClaims(claims: readonly ResourceClaim[], ctx: PlanContext): Plan {
  const plan: Plan = { requests: [], slots: [], constraints: [] };
  claims.forEach((claim, claimIndex) => {
    const ref = claimRef(claim);
    let minDevices = 0;
    for (const request of claim.spec?.devices?.requests ?? []) {
      const subs = request.firstAvailable ?? [];
      const hasSubs = subs.length > 0;
      if (!ctx.features.prioritizedList && hasSubs) {
        throw new AllocationError(`claim ${ref}, request ${request.name}: has subrequests, but the DRAPrioritizedList feature is disabled`);
      }
      // Capacity requests are checked before anything else of the request (upstream's Allocate loop).
      if (!ctx.features.consumableCapacity) {
        if (hasCapacityRequests(request.exactly)) {
          throw new AllocationError(`claim ${ref}, request ${request.name}: ${NO_CAPACITY}`);
        }
        const sub = subs.find(hasCapacityRequests);
        if (sub) throw new AllocationError(`claim ${ref}, subrequest ${sub.name}: ${NO_CAPACITY}`);
      }
      const rp: RequestPlan = { claim: claimIndex, name: request.name, hasSubs, slots: [] };
      const requestIndex = plan.requests.length;
      const add = (spec: DeviceRequestCore, sub: number, subName: string, adminAccess: boolean | undefined) => {
        const slot = validate(ctx, ref, {
          claim: claimIndex,
          request: requestIndex,
          sub,
          name: subName ? `${request.name}/${subName}` : request.name,
          parentName: request.name,
          subName,
          spec,
          adminAccess: adminAccess === true,
          adminAccessSet: adminAccess !== undefined,
          deviceClass: undefined as unknown as DeviceClass,
          mode: 'ExactCount',
          numDevices: 0,
          allDevices: [],
        });
        rp.slots.push(slot);
        plan.slots.push(slot);
      };
      if (hasSubs) subs.forEach((s, i) => add(s, i, s.name, undefined));
      else add(request.exactly ?? ({ deviceClassName: '' } as DeviceRequestCore), -1, '', request.exactly?.adminAccess);
      minDevices += Math.min(...rp.slots.map((s) => s.numDevices));
      plan.requests.push(rp);
    }
    if (minDevices > MAX_RESULTS_PER_CLAIM) {
      throw new AllocationError(
        `claim ${ref}: number of requested devices ${minDevices} exceeds the claim limit of ${MAX_RESULTS_PER_CLAIM}`,
      );
    }
    (claim.spec?.devices?.constraints ?? []).forEach((c, i) => {
      const requests = c.requests ?? [];
      if (c.matchAttribute !== undefined) {
        plan.constraints.push({ claim: claimIndex, kind: 'match', attribute: c.matchAttribute, requests });
      } else if (c.distinctAttribute !== undefined && !usesStableAllocator(ctx.features)) {
        plan.constraints.push({ claim: claimIndex, kind: 'distinct', attribute: c.distinctAttribute, requests });
      } else {
        throw new AllocationError(`claim ${ref}, constraint #${i}: empty constraint (unsupported constraint type?)`);
      }
    });
  });
  return plan;
}

/** Upstream `validateDeviceRequest` for one request or subrequest, in its order of checks. */
function validate(ctx: PlanContext, ref: string, slot: Slot): Slot {
  const name = slot.subName || slot.parentName;
  const spec = slot.spec;
  (spec.selectors ?? []).forEach((sel, i) => {
    if (!sel.cel) throw new AllocationError(`claim ${ref}, request ${name}, selector #${i}: CEL expression empty (unsupported selector type?)`);
  });
  if (!ctx.features.adminAccess && slot.adminAccessSet) {
    throw new AllocationError(`claim ${ref}, request ${name}: admin access is requested, but the feature is disabled`);
  }
  if (!spec.deviceClassName) {
    throw new AllocationError(`claim ${ref}, request ${name}: missing device class name (unsupported request type?)`);
  }
  const cls = ctx.classes.get(spec.deviceClassName);
  if (!cls) {
    throw new AllocationError(
      `claim ${ref}, request ${name}: could not retrieve device class ${spec.deviceClassName}: deviceclass.resource.k8s.io "${spec.deviceClassName}" not found`,
    );
  }
  slot.deviceClass = cls;
  const mode = spec.allocationMode ?? 'ExactCount';
  if (mode === 'ExactCount' || mode === '') {
    slot.mode = 'ExactCount';
    slot.numDevices = spec.count ?? 1;
    if (!Number.isSafeInteger(slot.numDevices)) {
      throw new AllocationError(`claim ${ref}, request ${name}: exact count ${slot.numDevices} is too large`);
    }
  } else if (mode === 'All') {
    slot.mode = 'All';
    slot.allDevices = ctx.allDevices(slot);
    slot.numDevices = slot.allDevices.length;
  } else {
    throw new AllocationError(`claim ${ref}, request ${name}: unsupported count mode ${mode}`);
  }
  return slot;
}
