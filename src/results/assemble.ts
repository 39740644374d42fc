/**
 * Turns the solver's picks into one v1 AllocationResult per claim, as upstream assembles them:
 * results in allocation order, class configs once per class (extended with later requests of
 * the same class), claim configs that apply, and the node selector.
 */

import { randomUUID } from 'node:crypto';
import type {
  AllocationResult,
  DeviceAllocationConfiguration,
  DeviceRequestAllocationResult,
  Node,
  NodeSelector,
  NodeSelectorRequirement,
} from '../model/types.js';
import type { Problem } from '../compile/problem.js';
import type { Quantity } from '../model/quantity.js';
import type { SolveAnswer } from '../wasm/run.js';
import type { Features } from '../features.js';
import { AllocationError } from '../outcome.js';
import type { Inventory } from '../compile/inventory.js';
import type { NodePools } from '../compile/nodeview.js';

/**
 * The claims' results, in `out` when given (the placement kernel's decode hands the array of the
 * Pod before: it keeps only the results, not the array), else in a new array.
 */
export function assembleResults(p: Problem, a: SolveAnswer, features: Features, out: AllocationResult[] = new Array(p.claims.length)): AllocationResult[] {
  const D = p.view.slots.length;
  const view = p.view;
  const { devices, sliceOf } = view.inventory;
  const picks = a.picks;
  const claims = p.claims.length;
  const slots = p.plan.slots;
  out.length = claims;
  for (let c = 0; c < claims; c++) {
    // Arrays of their final length (a growing array would reserve 16 for the usual one result).
    // With one claim every pick is its own (every slot is claim 0's): nothing to count.
    let n = picks.length;
    if (claims > 1) {
      n = 0;
      for (let k = 0; k < picks.length; k++) if (slots[picks[k][0]].claim === c) n++;
    }
    const results: DeviceRequestAllocationResult[] = new Array(n);
    n = 0;
    for (let k = 0; k < picks.length; k++) {
      const pick = picks[k];
      const s = pick[0];
      const slot = slots[s];
      if (slot.claim !== c) continue;
      // Device d of the view, read in place (NodeDevice's fields without a cursor object).
      const d = pick[1];
      const device = devices[view.slots[d]];
      const pool = view.pools[view.poolOf[d]];
      const r: DeviceRequestAllocationResult = { request: slot.name, driver: pool.driver, pool: pool.name, device: device.name };
      if (slot.adminAccess) r.adminAccess = true;
      // Copies: a result is the caller's to change, and these come from the claim's spec and
      // the engine's own slice (rare enough that copying costs nothing measurable).
      if (slot.spec.tolerations?.length) r.tolerations = slot.spec.tolerations.map((t) => ({ ...t }));
      if (features.deviceBinding) {
        if (device.bindingConditions?.length) r.bindingConditions = [...device.bindingConditions];
        if (device.bindingFailureConditions?.length) r.bindingFailureConditions = [...device.bindingFailureConditions];
      }
      const consumed = p.consumed.size > 0 ? p.consumed.get(s * D + d) : undefined;
      if (consumed) {
        r.shareID = randomUUID();
        if (consumed.size > 0) r.consumedCapacity = consumedCapacity(consumed);
      }
      results[n++] = r;
    }
    const config = hasConfigs(p, c) ? configs(p, a, c) : undefined;
    const allocated: NonNullable<AllocationResult['devices']> = config?.length ? { results, config } : { results };
    const ns = nodeSelector(p, a, c, devices, sliceOf);
    // One literal per shape: a field added after the literal would cost each result a
    // separate property store (most results have a node selector).
    out[c] = ns ? { devices: allocated, nodeSelector: ns } : { devices: allocated };
  }
  return out;
}

/** A share's `consumedCapacity`: the demand as Kubernetes prints it, formatted once per (slot, device) pair of a problem and copied per result (the caller's to change). */
const consumedTexts = new WeakMap<Map<string, Quantity>, Record<string, string>>();
function consumedCapacity(consumed: Map<string, Quantity>): Record<string, string> {
  let text = consumedTexts.get(consumed);
  if (!text) consumedTexts.set(consumed, (text = Object.fromEntries([...consumed].map(([k, v]) => [k, v.toString()]))));
  return { ...text };
}

/** The slot chosen for each request of claim `c` (the subrequest the search settled on). */
function chosenSlots(p: Problem, a: SolveAnswer, c: number) {
  return p.plan.requests
    .map((r, i) => ({ r, i }))
    .filter(({ r }) => r.claim === c)
    .map(({ r, i }) => {
      const sub = r.hasSubs ? Math.max(0, a.selectedSub[i]) : 0;
      return r.slots[sub];
    });
}

function configs(p: Problem, a: SolveAnswer, c: number): DeviceAllocationConfiguration[] {
  const out: DeviceAllocationConfiguration[] = [];
  const chosen = chosenSlots(p, a, c);
  const classRange = new Map<string, [number, number]>();
  for (const slot of chosen) {
    const cls = slot.deviceClass;
    const range = classRange.get(cls.metadata.name);
    if (range) {
      for (let i = range[0]; i < range[1]; i++) out[i].requests!.push(slot.name);
      continue;
    }
    const start = out.length;
    for (const cfg of cls.spec?.config ?? []) out.push({ source: 'FromClass', requests: [slot.name], ...rest(cfg) });
    classRange.set(cls.metadata.name, [start, out.length]);
  }
  for (const cfg of p.claims[c].spec?.devices?.config ?? []) {
    const requests = cfg.requests ?? [];
    if (requests.length === 0) {
      out.push({ source: 'FromClaim', ...rest(cfg) });
      continue;
    }
    for (const slot of chosen) {
      if (requests.includes(slot.parentName) || (slot.subName !== '' && requests.includes(slot.name))) {
        out.push({ source: 'FromClaim', requests, ...rest(cfg) });
      }
    }
  }
  return out;
}

/** Whether claim `c` or a class of any of its slots has configs (most have none: nothing to gather). */
function hasConfigs(p: Problem, c: number): boolean {
  if (p.claims[c].spec?.devices?.config?.length) return true;
  for (const slot of p.plan.slots) if (slot.claim === c && slot.deviceClass.spec?.config?.length) return true;
  return false;
}

/** The configuration fields of a class or claim config entry (everything but `requests`). */
function rest<T extends object>(cfg: T): Omit<T, "requests"> {
  const { requests: _ignored, ...others } = cfg as T & { requests?: unknown };
  return others;
}

/**
 * Upstream `createNodeSelector` over claim `c`'s picks, in pick order: any node-local or
 * binds-to-node device pins the claim to the node; otherwise the requirements of all
 * (single-term) slice node selectors, deduplicated; nothing when every device is available
 * everywhere.
 */
function nodeSelector(p: Problem, a: SolveAnswer, c: number, devices: Inventory['devices'], sliceOf: Inventory['sliceOf']): NodeSelector | undefined {
  const view = p.view;
  const slots = p.plan.slots;
  const pins = pinningDevices(p);
  // Made when a device has a selector (most claims are pinned before).
  let fields: NodeSelectorRequirement[] | undefined;
  let exprs: NodeSelectorRequirement[] | undefined;
  for (let k = 0; k < a.picks.length; k++) {
    const pick = a.picks[k];
    if (slots[pick[0]].claim !== c) continue;
    if (pins[pick[1]] === 1) return pinnedTo(view);
    const i = view.slots[pick[1]];
    const device = devices[i];
    const spec = sliceOf[i].spec;
    const perDevice = spec.perDeviceNodeSelection === true;
    if ((perDevice ? device.nodeName : spec.nodeName) || device.bindsToNode) return pinnedTo(view);
    const sel = perDevice ? device.nodeSelector : spec.nodeSelector;
    if (!sel) continue;
    const terms = sel.nodeSelectorTerms ?? [];
    if (terms.length > 1) {
      throw new AllocationError(`create NodeSelector for claim ${p.claims[c].metadata?.name ?? ''}: unsupported ResourceSlice.NodeSelector with ${terms.length} terms`);
    }
    if (terms.length === 1) {
      addNew(terms[0].matchFields ?? [], (fields ??= []));
      addNew(terms[0].matchExpressions ?? [], (exprs ??= []));
    }
  }
  if (!fields?.length && !exprs?.length) return undefined;
  const term: { matchFields?: NodeSelectorRequirement[]; matchExpressions?: NodeSelectorRequirement[] } = {};
  if (exprs?.length) term.matchExpressions = exprs;
  if (fields?.length) term.matchFields = fields;
  return { nodeSelectorTerms: [term] };
}

/**
 * Per device of a problem's view: 1 when it pins a claim to the view's node (upstream: its
 * slice's nodeName — the device's own with perDeviceNodeSelection — or bindsToNode), read once
 * per problem instead of from each pick's slice (at 50,000 nodes those reads missed the cache
 * for every Pod). Valid for every view the problem serves: a problem serves only nodes of its
 * view's shape (the engine's problem cache and the kernel's shape tables are keyed by
 * NodePools.shape), and the shape fixes it per device — its slice's flags (nodeName set,
 * per-device node selection) and its contents (nodeName, bindsToNode).
 */
const pinning = new WeakMap<Problem, Uint8Array>();
function pinningDevices(p: Problem): Uint8Array {
  let pins = pinning.get(p);
  if (!pins) {
    const view = p.view;
    const { devices, sliceOf } = view.inventory;
    pins = new Uint8Array(view.slots.length);
    for (let d = 0; d < pins.length; d++) {
      const i = view.slots[d];
      const spec = sliceOf[i].spec;
      if ((spec.perDeviceNodeSelection === true ? devices[i].nodeName : spec.nodeName) || devices[i].bindsToNode) pins[d] = 1;
    }
    pinning.set(p, pins);
  }
  return pins;
}

/**
 * The selector that pins a claim to the view's node: one per Node object (engines given the same
 * Node objects share it), kept on the view at its first use there (most claims are pinned: the
 * view is at hand, a table of every Node object is not). Frozen, nested parts too: results share
 * it, so nothing may change it in place.
 */
const pinned = new WeakMap<Node, NodeSelector>();
function pinnedTo(view: NodePools): NodeSelector {
  if (view.pinned) return view.pinned;
  const node = view.node;
  let sel = pinned.get(node);
  if (!sel) {
    const field = Object.freeze({ key: 'metadata.name', operator: 'In', values: Object.freeze([node.metadata.name]) as string[] });
    const term = Object.freeze({ matchFields: Object.freeze([field]) as NodeSelectorRequirement[] });
    sel = Object.freeze({ nodeSelectorTerms: Object.freeze([term]) as NodeSelector['nodeSelectorTerms'] });
    pinned.set(node, sel);
  }
  return (view.pinned = sel);
}

function addNew(from: NodeSelectorRequirement[], to: NodeSelectorRequirement[]): void {
  for (const r of from) {
    if (!to.some((t) => JSON.stringify(t) === JSON.stringify(r))) to.push(r);
  }
}
