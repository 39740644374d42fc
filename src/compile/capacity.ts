/**
 * Consumable capacity (DRAConsumableCapacity): what one allocation consumes of a device
 * capacity, and whether that amount is allowed by the capacity's request policy
 * (upstream `consumable_capacity.go`; pinned down by conformance/aux/consumable-capacity-functions.yaml).
 */

import type { CapacityRequestPolicy, Device, DeviceCapacity } from '../model/types.js';
import { parseQuantity, Quantity } from '../model/quantity.js';

/** The amount one allocation consumes, given the request (undefined = not requested). */
export function consumedAmount(requested: Quantity | undefined, cap: DeviceCapacity): Quantity {
  const policy = cap.requestPolicy;
  if (requested === undefined) {
    return policy?.default !== undefined ? parseQuantity(policy.default) : parseQuantity(cap.value);
  }
  if (!policy) return requested;
  const range = policy.validRange;
  if (range?.min !== undefined) return roundUpRange(requested, parseQuantity(range.min), range.step !== undefined ? parseQuantity(range.step) : undefined);
  if (policy.validValues && policy.validValues.length > 0) {
    for (const v of policy.validValues) {
      const value = parseQuantity(v);
      if (value.cmp(requested) >= 0) return value;
    }
  }
  return requested;
}

/** Below min: min; else min + ceil((req - min) / step) * step, on integer values as upstream. */
function roundUpRange(requested: Quantity, min: Quantity, step: Quantity | undefined): Quantity {
  if (requested.cmp(min) < 0) return min;
  if (!step) return requested;
  const r = requested.value();
  const m = min.value();
  const st = step.value();
  if (st <= 0n) return requested;
  const n = (r - m + st - 1n) / st;
  return Quantity.fromInt(m + n * st, 'BinarySI');
}

export function violatesPolicy(value: Quantity, policy: CapacityRequestPolicy | undefined): boolean {
  if (!policy) return false;
  if (policy.default !== undefined && parseQuantity(policy.default).cmp(value) === 0) return false;
  const range = policy.validRange;
  if (range?.min !== undefined) {
    if (range.max !== undefined && value.cmp(parseQuantity(range.max)) > 0) return true;
    if (value.cmp(parseQuantity(range.min)) < 0) return true;
    if (range.step !== undefined) {
      const step = parseQuantity(range.step).nano;
      if (step > 0n && (value.nano - parseQuantity(range.min).nano) % step !== 0n) return true;
    }
    return false;
  }
  if (policy.validValues && policy.validValues.length > 0) {
    return !policy.validValues.some((v) => parseQuantity(v).cmp(value) === 0);
  }
  return false;
}

/** What one allocation of a device consumes, or why the device cannot serve the request at all. */
export type CapacityDemand =
  | { consumed: Map<string, Quantity> }
  | { name: string; problem: 'missing' }
  | { name: string; problem: 'policy'; amount: Quantity };

/**
 * Demands by device, then by the request's `capacity.requests` object (`NONE`: the request asks
 * none): both are input objects nothing changes, and the summaries ask again for every device of
 * every node a commit touched, so each pair is worked out once.
 */
const demands = new WeakMap<Device, WeakMap<object, CapacityDemand>>();
const NONE = {};

/**
 * What one allocation of `device` for a request with these capacity requests consumes, for
 * every capacity of the device; or the first requested capacity the device lacks, or the first
 * amount that breaks its capacity's request policy. Memoised: callers share the answer and must
 * not change it.
 */
export function capacityDemand(requests: Record<string, string> | undefined, device: Device): CapacityDemand {
  let byRequests = demands.get(device);
  if (!byRequests) demands.set(device, (byRequests = new WeakMap()));
  const key = requests ?? NONE;
  let demand = byRequests.get(key);
  if (!demand) byRequests.set(key, (demand = workOutDemand(requests, device)));
  return demand;
}

function workOutDemand(requests: Record<string, string> | undefined, device: Device): CapacityDemand {
  const caps = device.capacity ?? {};
  for (const name of Object.keys(requests ?? {})) if (!(name in caps)) return { name, problem: 'missing' };
  const consumed = new Map<string, Quantity>();
  for (const [name, cap] of Object.entries(caps)) {
    const requested = requests?.[name];
    const amount = consumedAmount(requested !== undefined ? parseQuantity(requested) : undefined, cap);
    if (violatesPolicy(amount, cap.requestPolicy)) return { name, problem: 'policy', amount };
    consumed.set(name, amount);
  }
  return { consumed };
}
