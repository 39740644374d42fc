/**
 * Consistency of the allocated state the input carries (claims with `status.allocation`): what
 * no correct scheduler can have written. `lint` reports each problem; `schedule` and `report`
 * refuse such input, since every placement they made on top of it would be wrong too.
 * - a device allocated to two claims (or twice to one) — except shares (`shareID`, consumable
 *   capacity) of one device, and adminAccess results, which do not take the device;
 * - a device its pool does not have (the pool's ResourceSlices are in the input);
 * - a claim in use by a Pod bound to a node the claim's allocation is not available on.
 */
import { deviceId } from '../model/allocated.js';
import { nodeSelectorMatches } from '../model/nodes.js';
import type { DraObject, Node, Pod, ResourceClaim, ResourceSlice } from '../model/types.js';
import { podClaimName, podNamespace } from './pod-claims.js';

export interface StateProblem {
  /** The object the problem is reported on. */
  object: DraObject;
  /** The field, from the object's root. */
  path: string;
  message: string;
}

/** Every problem of the input's allocated state, in input order. */
export function allocatedStateProblems(objects: readonly DraObject[]): StateProblem[] {
  const problems: StateProblem[] = [];
  const claims = objects.filter((o): o is ResourceClaim => o.kind === 'ResourceClaim');
  const devices = new Set<string>();
  const pools = new Set<string>();
  // The slices' device ids are only needed when some claim carries results (a cluster's tens of thousands otherwise).
  if (claims.some((c) => c.status?.allocation?.devices?.results?.length)) {
    for (const s of objects.filter((o): o is ResourceSlice => o.kind === 'ResourceSlice')) {
      pools.add(`${s.spec.driver}/${s.spec.pool.name}`);
      for (const d of s.spec.devices ?? []) devices.add(deviceId(s.spec.driver, s.spec.pool.name, d.name));
    }
  }
  /** Device → the claim and path that took it whole. */
  const taken = new Map<string, { claim: string; path: string }>();
  /** Devices shared (shareID) by some claim, for a later exclusive taker. */
  const shared = new Map<string, string>();
  for (const c of claims) {
    const ref = `${c.metadata.namespace ?? 'default'}/${c.metadata.name}`;
    (c.status?.allocation?.devices?.results ?? []).forEach((r, i) => {
      const path = `status.allocation.devices.results[${i}]`;
      const id = deviceId(r.driver, r.pool, r.device);
      if (pools.has(`${r.driver}/${r.pool}`) && !devices.has(id)) {
        problems.push({ object: c, path, message: `device ${id} does not exist: pool ${r.driver}/${r.pool} has no device ${r.device}` });
        return;
      }
      if (r.adminAccess === true) return;
      const holder = taken.get(id);
      if (holder) {
        const other = holder.claim === ref ? `this claim's ${holder.path}` : `claim ${holder.claim} (${holder.path})`;
        problems.push({ object: c, path, message: `device ${id} is also allocated to ${other}: a device can be allocated only once (unless shared with shareID)` });
        return;
      }
      if (r.shareID === undefined) {
        const sharer = shared.get(id);
        if (sharer) problems.push({ object: c, path, message: `device ${id} is allocated whole here but shared by claim ${sharer}` });
        else taken.set(id, { claim: ref, path });
      } else if (!shared.has(id)) {
        shared.set(id, ref);
      }
    });
  }
  podsOnOtherNodes(objects, claims, problems);
  return problems;
}

/** Pods bound to a node their allocated claims are not available on. */
function podsOnOtherNodes(objects: readonly DraObject[], claims: readonly ResourceClaim[], problems: StateProblem[]): void {
  const nodes = new Map(objects.filter((o): o is Node => o.kind === 'Node').map((n) => [n.metadata.name, n]));
  const byKey = new Map(claims.map((c) => [`${c.metadata.namespace ?? 'default'}/${c.metadata.name}`, c]));
  for (const pod of objects.filter((o): o is Pod => o.kind === 'Pod')) {
    const node = pod.spec.nodeName ? nodes.get(pod.spec.nodeName) : undefined;
    if (!node) continue;
    (pod.spec.resourceClaims ?? []).forEach((entry, i) => {
      const name = podClaimName(pod, entry);
      const claim = name === undefined ? undefined : byKey.get(`${podNamespace(pod)}/${name}`);
      const selector = claim?.status?.allocation?.nodeSelector;
      if (selector && !nodeSelectorMatches(selector, node)) {
        problems.push({
          object: pod,
          path: `spec.resourceClaims[${i}]`,
          message: `the Pod is bound to node ${node.metadata.name}, but its claim ${podNamespace(pod)}/${name} is allocated on devices that node cannot reach (status.allocation.nodeSelector does not match it)`,
        });
      }
    });
  }
}

/** The problems as one error text (the first few, and how many more), for commands that refuse such input. */
export function allocatedStateError(problems: readonly StateProblem[]): string {
  const shown = problems.slice(0, 3).map((p) => `${p.object.kind} ${objectName(p.object)}: ${p.path}: ${p.message}`);
  const more = problems.length > 3 ? `; and ${problems.length - 3} more` : '';
  return `the allocated state of the input is inconsistent (dralloc lint lists every problem): ${shown.join('; ')}${more}`;
}

function objectName(o: DraObject): string {
  const { namespace, name } = o.metadata ?? {};
  return namespace ? `${namespace}/${name}` : `${name}`;
}
