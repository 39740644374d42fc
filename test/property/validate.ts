/**
 * An independent check of one allocation against the invariants docs/semantics.md states, without
 * re-running any search: every result names a usable device of the node that matches its
 * (sub)request's class and request selectors; counts are exact (All = every matching device);
 * matchAttribute values are common, distinctAttribute values differ across requests (upstream
 * v1.36 remembers one value per request); no device is
 * used twice unless it allows multiple allocations (DRAConsumableCapacity) or the request has
 * admin access; shared counters and consumable capacities are never exceeded, counting what
 * allocated claims already hold; untolerated NoSchedule/NoExecute taints never appear; at most
 * 32 results per claim. Returns the violations found (empty = valid).
 */

import type { AllocationResult, Device, DeviceAttribute, DeviceRequestCore, DeviceToleration, DraObject, ResourceClaim, ResourceSlice } from '../../src/model/types.js';
import type { Features } from '../../src/features.js';
import type { CounterAccounting } from '../../src/wasm/layout.js';
import { Quantity } from '../../src/model/quantity.js';
import { nodeMatches } from '../../src/model/nodes.js';
import { compileSelector } from '../../src/cel/index.js';
import { poolsForNode, type RefPool } from '../reference/pools.js';
import { ReferenceAllocatedState, deviceKey } from '../reference/allocated-state.js';
import { lookupAttribute } from '../reference/constraints.js';
import { fitsCapacity } from '../reference/capacity.js';

interface Usable {
  device: Device;
  slice: ResourceSlice;
  pool: RefPool;
}

export interface ValidationInput {
  objects: readonly DraObject[];
  claims: readonly ResourceClaim[];
  results: readonly AllocationResult[];
  node: string;
  features: Features;
  /**
   * The accounting the allocation was made with (default upstream): whether a new share of a
   * device that already has shares takes its counters again — exact: not when any share is
   * allocated; upstream: not when the device has aggregated capacity (the reference allocator's
   * `capacityInUse`).
   */
  counterAccounting?: CounterAccounting;
}

const q = Quantity.parse;

export function validateAllocation(input: ValidationInput): string[] {
  const { objects, claims, results, features: f } = input;
  const problems: string[] = [];
  const node = objects.find((o) => o.kind === 'Node' && o.metadata.name === input.node);
  if (!node || node.kind !== 'Node') return [`node ${input.node} missing`];
  const slices = objects.filter((o): o is ResourceSlice => o.kind === 'ResourceSlice');
  const classes = new Map(objects.flatMap((o) => (o.kind === 'DeviceClass' ? [[o.metadata.name, o] as const] : [])));
  const allocated = new ReferenceAllocatedState(
    objects.filter((o): o is ResourceClaim => o.kind === 'ResourceClaim' && o.status?.allocation !== undefined),
    f.consumableCapacity,
  );
  const pools = poolsForNode(slices, node, f);
  const usable = new Map<string, Usable>();
  for (const pool of pools) {
    for (const slice of pool.deviceSlices) {
      for (const device of slice.spec.devices ?? []) {
        if (slice.spec.perDeviceNodeSelection && !nodeMatches(node, device.nodeName, device.allNodes, device.nodeSelector)) continue;
        usable.set(deviceKey(pool.driver, pool.name, device.name), { device, slice, pool });
      }
    }
  }
  const cel = { consumableCapacity: f.consumableCapacity, listTypeAttributes: f.listTypeAttributes };
  const matches = (spec: DeviceRequestCore, u: Usable) => {
    const cls = classes.get(spec.deviceClassName);
    const exprs = [...(cls?.spec.selectors ?? []), ...(spec.selectors ?? [])].map((s) => s.cel!.expression);
    if (!f.deviceBinding && (u.device.bindingConditions?.length ?? 0) > 0) return false;
    return exprs.every((e) => compileSelector(e, cel).evaluate(u.device, u.pool.driver));
  };
  const multi = (d: Device) => f.consumableCapacity && d.allowMultipleAllocations === true;

  const exclusive = new Map<string, string>(); // device → claim that holds it exclusively
  const newShares = new Map<string, Map<string, Quantity>>();
  const counterUse = new Map<string, Quantity>(); // pool/set/counter → newly consumed
  const touchedPools = new Set<RefPool>();
  const counted = new Set<string>(); // multi-allocatable devices whose counters are already counted

  claims.forEach((claim, c) => {
    const where = `claim ${claim.metadata.name}`;
    const res = results[c]?.devices?.results ?? [];
    if (res.length > 32) problems.push(`${where}: ${res.length} results (limit 32)`);
    const adminInClaim = new Set<string>();
    for (const request of claim.spec.devices?.requests ?? []) {
      const mine = res.filter((r) => r.request === request.name || r.request.startsWith(`${request.name}/`));
      const subNames = new Set(mine.map((r) => r.request));
      if (subNames.size > 1) problems.push(`${where}: request ${request.name} used several subrequests ${[...subNames]}`);
      const sub = request.firstAvailable?.find((s) => `${request.name}/${s.name}` === mine[0]?.request);
      const spec: (DeviceRequestCore & { adminAccess?: boolean }) | undefined = request.exactly ?? sub;
      if (!spec) {
        problems.push(`${where}: request ${request.name} has no results or an unknown subrequest`);
        continue;
      }
      const admin = request.exactly?.adminAccess === true;
      for (const r of mine) {
        const id = deviceKey(r.driver, r.pool, r.device);
        const u = usable.get(id);
        if (!u) {
          problems.push(`${where}: ${id} is not a usable device of node ${input.node}`);
          continue;
        }
        if (!matches(spec, u)) problems.push(`${where}: ${id} does not match request ${r.request}`);
        if (f.deviceTaints && untolerated(u.device, spec.tolerations ?? [])) problems.push(`${where}: ${id} has an untolerated taint`);
        if (admin) {
          if (!multi(u.device) && adminInClaim.has(id)) problems.push(`${where}: ${id} twice with admin access in one claim`);
          adminInClaim.add(id);
          continue;
        }
        if (allocated.dedicated.has(id)) problems.push(`${where}: ${id} is already allocated`);
        if (multi(u.device)) {
          const share = newShares.get(id) ?? new Map<string, Quantity>();
          newShares.set(id, share);
          for (const [name, v] of Object.entries(r.consumedCapacity ?? {})) share.set(name, (share.get(name) ?? Quantity.fromInt(0)).add(q(v)));
        } else {
          if (exclusive.has(id)) problems.push(`${where}: ${id} also allocated to ${exclusive.get(id)}`);
          exclusive.set(id, where);
        }
      }
      const mode = spec.allocationMode ?? 'ExactCount';
      if (mode === 'ExactCount' && mine.length !== (spec.count ?? 1)) problems.push(`${where}: request ${request.name} got ${mine.length} devices, want ${spec.count ?? 1}`);
      if (mode === 'All') {
        const want = [...usable.entries()].filter(([, u]) => matches(spec, u)).map(([id]) => id);
        const got = mine.map((r) => deviceKey(r.driver, r.pool, r.device));
        // v1.36.2 leaves out devices whose remaining capacity is too small (docs/semantics.md, Consumable capacity).
        const fits = (id: string) => !f.consumableCapacity || fitsCapacity(spec.capacity?.requests, usable.get(id)!.device, allocated.aggregated.get(id), undefined);
        const wantFitting = want.filter(fits);
        if (got.length !== wantFitting.length || !wantFitting.every((id) => got.includes(id))) {
          problems.push(`${where}: All request ${request.name} got [${got}], matching devices are [${wantFitting}]`);
        }
      }
    }
    for (const k of claim.spec.devices?.constraints ?? []) {
      const names = k.requests ?? [];
      const covered = res.filter((r) => names.length === 0 || names.includes(r.request) || names.includes(r.request.split('/')[0]));
      const attrs = covered.map((r) => {
        const u = usable.get(deviceKey(r.driver, r.pool, r.device));
        return u ? lookupAttribute(u.device, u.pool.driver, (k.matchAttribute ?? k.distinctAttribute)!) : undefined;
      });
      if (attrs.some((a) => a === undefined)) problems.push(`${where}: a constrained device lacks ${k.matchAttribute ?? k.distinctAttribute}`);
      const sets = attrs.filter((a): a is DeviceAttribute => a !== undefined).map(values);
      if (k.matchAttribute && sets.length > 0 && sets.reduce((acc, s) => new Set([...acc].filter((v) => s.has(v)))).size === 0) {
        problems.push(`${where}: matchAttribute ${k.matchAttribute} has no common value`);
      }
      if (k.distinctAttribute && sets.length === covered.length) {
        // Upstream v1.36 remembers one value per request (the last device's): every device of
        // a request differs from what each earlier request ended with. (Within one request,
        // and against values backtracking made it forget, upstream guarantees nothing.)
        const last = new Map<string, Set<string>>();
        covered.forEach((r, i) => {
          const req = r.request.split('/')[0];
          for (const [other, values] of last) {
            if (other === req) continue;
            for (const v of sets[i]) if (values.has(v)) problems.push(`${where}: distinctAttribute ${k.distinctAttribute} repeats ${v} of request ${other}`);
          }
          const next = covered.findIndex((x, j) => j > i && x.request.split('/')[0] === req);
          if (next < 0) last.set(req, sets[i]);
        });
      }
    }
    for (const r of res.filter((x) => !x.adminAccess)) {
      const u = usable.get(deviceKey(r.driver, r.pool, r.device));
      if (!u) continue;
      const id = deviceKey(r.driver, r.pool, r.device);
      const sharedBefore = input.counterAccounting === 'exact' ? allocated.shared.has(id) : allocated.aggregated.has(id);
      if (multi(u.device) && (sharedBefore || counted.has(id))) continue;
      counted.add(id);
      for (const cc of u.device.consumesCounters ?? []) {
        touchedPools.add(u.pool);
        for (const [name, v] of Object.entries(cc.counters ?? {})) {
          const key = `${u.pool.id}/${cc.counterSet}/${name}`;
          counterUse.set(key, (counterUse.get(key) ?? Quantity.fromInt(0)).add(q(v.value)));
        }
      }
    }
  });

  // Counters: a pool that gave out counters must not end up over any of its counters.
  for (const pool of touchedPools) {
    for (const cs of pool.counterSlices.flatMap((s) => s.spec.sharedCounters ?? [])) {
      for (const [name, c] of Object.entries(cs.counters ?? {})) {
        let used = counterUse.get(`${pool.id}/${cs.name}/${name}`) ?? Quantity.fromInt(0);
        for (const d of pool.allSlices.flatMap((s) => s.spec.devices ?? [])) {
          if (!allocated.isAllocated(deviceKey(pool.driver, pool.name, d.name))) continue;
          for (const cc of d.consumesCounters ?? []) if (cc.counterSet === cs.name && cc.counters?.[name]) used = used.add(q(cc.counters[name].value));
        }
        if (used.cmp(q(c.value)) > 0) problems.push(`pool ${pool.id}: counter ${cs.name}/${name} over its value (${used} > ${c.value})`);
      }
    }
  }
  // Capacities of shared devices: what allocated shares and the new shares consume fits.
  for (const [id, share] of newShares) {
    const device = usable.get(id)!.device;
    for (const [name, cap] of Object.entries(device.capacity ?? {})) {
      const total = (share.get(name) ?? Quantity.fromInt(0)).add(allocated.aggregated.get(id)?.get(name) ?? Quantity.fromInt(0));
      if (total.cmp(q(cap.value)) > 0) problems.push(`${id}: capacity ${name} over its value (${total} > ${cap.value})`);
    }
  }
  return problems;
}

function untolerated(device: Device, tolerations: DeviceToleration[]): boolean {
  return (device.taints ?? []).some(
    (t) =>
      (t.effect === 'NoSchedule' || t.effect === 'NoExecute') &&
      !tolerations.some(
        (x) => (!x.effect || x.effect === t.effect) && (!x.key || x.key === t.key) && (x.operator === 'Exists' || (x.value ?? '') === (t.value ?? '')),
      ),
  );
}

/** The values of an attribute as typed strings (a scalar is a set of one). */
function values(a: DeviceAttribute): Set<string> {
  const typed = (t: string, xs: readonly unknown[]) => new Set(xs.map((x) => `${t}:${String(x)}`));
  if (a.string !== undefined) return typed('s', [a.string]);
  if (a.int !== undefined) return typed('i', [a.int]);
  if (a.bool !== undefined) return typed('b', [a.bool]);
  if (a.version !== undefined) return typed('v', [a.version]);
  return typed('s', a.strings ?? []).size ? typed('s', a.strings!) : typed('i', a.ints ?? []).size ? typed('i', a.ints!) : typed('b', a.bools ?? []).size ? typed('b', a.bools!) : typed('v', a.versions ?? []);
}
