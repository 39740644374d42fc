/**
 * Consumable capacity for the reference allocator, written from upstream v1.36
 * `consumable_capacity.go` (`CmpRequestOverCapacity`, `calculateConsumedCapacity`,
 * `roundUpRange`, `roundUpValidValues`, `violatesPolicy`, `GetConsumedCapacityFromRequest`).
 * Quantities are exact (`Quantity`, nano-units); `Value()` is Go's integer value rounded up.
 */

import type { CapacityRequestPolicy, Device, DeviceCapacity } from '../../src/model/types.js';
import { Quantity } from '../../src/model/quantity.js';

/** Capacity name → amount (upstream `ConsumedCapacity`). */
export type Consumed = Map<string, Quantity>;

const q = (s: string) => Quantity.parse(s);

/** Adds (`sign` 1) or subtracts (-1) `delta` into `into`, name by name. */
export function addConsumed(into: Consumed, delta: ReadonlyMap<string, Quantity>, sign: 1 | -1 = 1): void {
  for (const [name, v] of delta) {
    const prev = into.get(name) ?? Quantity.fromInt(0);
    into.set(name, sign > 0 ? prev.add(v) : prev.sub(v));
  }
}

/** Upstream `roundUpRange`: below min → min; else min + ceil((req − min) / step) · step (integers, BinarySI). */
function roundUpRange(req: Quantity, range: NonNullable<CapacityRequestPolicy['validRange']>): Quantity {
  const min = q(range.min!);
  if (req.cmp(min) < 0) return min;
  if (range.step === undefined) return req;
  const step = q(range.step).value();
  const added = req.value() - min.value();
  let n = added / step;
  if (added % step !== 0n) n += 1n;
  return Quantity.fromInt(min.value() + step * n, 'BinarySI');
}

/** Upstream `calculateConsumedCapacity`: what one allocation consumes of one capacity. */
export function consumedAmount(requested: Quantity | undefined, cap: DeviceCapacity): Quantity {
  const policy = cap.requestPolicy;
  if (requested === undefined) return q(policy?.default ?? cap.value);
  if (policy === undefined) return requested;
  if (policy.validRange !== undefined && policy.validRange.min !== undefined) return roundUpRange(requested, policy.validRange);
  if (policy.validValues !== undefined) return policy.validValues.map(q).find((v) => requested.cmp(v) <= 0) ?? requested;
  return requested;
}

/** Upstream `violatesPolicy` (the default always passes; compared by value here). */
function violatesPolicy(consumed: Quantity, policy: CapacityRequestPolicy | undefined): boolean {
  if (policy === undefined) return false;
  if (policy.default !== undefined && consumed.cmp(q(policy.default)) === 0) return false;
  if (policy.validRange !== undefined) {
    const { min, max, step } = policy.validRange;
    if (max !== undefined && consumed.cmp(q(max)) > 0) return true;
    return step !== undefined && (consumed.value() - q(min!).value()) % q(step).value() !== 0n;
  }
  if ((policy.validValues?.length ?? 0) > 0) return !policy.validValues!.some((v) => consumed.cmp(q(v)) === 0);
  return false;
}

/**
 * Upstream `CmpRequestOverCapacity`: whether `device` can take one more allocation that asks
 * for `requests`, given what allocated claims (`allocated`) and the allocation in progress
 * (`allocating`) already consume. False as well when the request names a capacity the device
 * does not have (upstream: an error the callers treat as "skip this device").
 */
export function fitsCapacity(
  requests: Readonly<Record<string, string>> | undefined,
  device: Device,
  allocated: ReadonlyMap<string, Quantity> | undefined,
  allocating: ReadonlyMap<string, Quantity> | undefined,
): boolean {
  const caps = device.capacity ?? {};
  if (Object.keys(requests ?? {}).some((name) => !Object.hasOwn(caps, name))) return false;
  for (const [name, cap] of Object.entries(caps)) {
    const requested = requests !== undefined && Object.hasOwn(requests, name) ? q(requests[name]) : undefined;
    const consumed = consumedAmount(requested, cap);
    if (violatesPolicy(consumed, cap.requestPolicy)) return false;
    let total = consumed;
    const before = allocated?.get(name);
    if (before !== undefined) total = total.add(before);
    const inFlight = allocating?.get(name);
    if (inFlight !== undefined) total = total.add(inFlight);
    if (total.cmp(q(cap.value)) > 0) return false;
  }
  return true;
}

/** Upstream `GetConsumedCapacityFromRequest`: the amount of *every* capacity of the device one share consumes. */
export function consumedByShare(requests: Readonly<Record<string, string>> | undefined, device: Device): Consumed {
  const out: Consumed = new Map();
  for (const [name, cap] of Object.entries(device.capacity ?? {})) {
    const requested = requests !== undefined && Object.hasOwn(requests, name) ? q(requests[name]) : undefined;
    out.set(name, consumedAmount(requested, cap));
  }
  return out;
}
