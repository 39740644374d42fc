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
import type { SolveAnswer } from '../wasm/run.js';
import type { Features } from '../features.js';
import { AllocationError } from '../outcome.js';
import { nodeDevice, type NodeDevice } from '../compile/nodeview.js';

export function assembleResults(p: Problem, a: SolveAnswer, features: Features): AllocationResult[] {
  const D = p.view.slots.length;
  const out: AllocationResult[] = new Array(p.claims.length);
  for (let c = 0; c < p.claims.length; c++) {
    // Arrays of their final length (a growing array would reserve 16 for the usual one result).
    let n = 0;
    for (let k = 0; k < a.picks.length; k++) if (p.plan.slots[a.picks[k][0]].claim === c) n++;
    const results: DeviceRequestAllocationResult[] = new Array(n);
    const picked: NodeDevice[] = new Array(n);
    n = 0;
    for (let k = 0; k < a.picks.length; k++) {
      const [s, d] = a.picks[k];
      const slot = p.plan.slots[s];
      if (slot.claim !== c) continue;
      const nd = nodeDevice(p.view, d);
      const r: DeviceRequestAllocationResult = { request: slot.name, driver: nd.pool.driver, pool: nd.pool.name, device: nd.device.name };
      if (slot.adminAccess) r.adminAccess = true;
      // Copies: a result is the caller's to change, and these come from the claim's spec and
      // the engine's own slice (rare enough that copying costs nothing measurable).
      if (slot.spec.tolerations?.length) r.tolerations = slot.spec.tolerations.map((t) => ({ ...t }));
      if (features.deviceBinding) {
        if (nd.device.bindingConditions?.length) r.bindingConditions = [...nd.device.bindingConditions];
        if (nd.device.bindingFailureConditions?.length) r.bindingFailureConditions = [...nd.device.bindingFailureConditions];
      }
      const consumed = p.consumed.size > 0 ? p.consumed.get(s * D + d) : undefined;
      if (consumed) {
        r.shareID = randomUUID();
        if (consumed.size > 0) r.consumedCapacity = Object.fromEntries([...consumed].map(([k, v]) => [k, v.toString()]));
      }
      results[n] = r;
      picked[n++] = nd;
    }
    const result: AllocationResult = { devices: { results } };
    if (hasConfigs(p, c)) {
      const config = configs(p, a, c);
      if (config.length > 0) result.devices!.config = config;
    }
    const ns = nodeSelector(p, picked, p.claims[c].metadata?.name ?? '');
    if (ns) result.nodeSelector = ns;
    out[c] = result;
  }
  return out;
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
 * Upstream `createNodeSelector`: any node-local or binds-to-node device pins the claim to the
 * node; otherwise the requirements of all (single-term) slice node selectors, deduplicated;
 * nothing when every device is available everywhere.
 */
function nodeSelector(p: Problem, picked: readonly NodeDevice[], claimName: string): NodeSelector | undefined {
  // Made when a device has a selector (most claims are pinned before).
  let fields: NodeSelectorRequirement[] | undefined;
  let exprs: NodeSelectorRequirement[] | undefined;
  for (let k = 0; k < picked.length; k++) {
    const nd = picked[k];
    const perDevice = nd.slice.spec.perDeviceNodeSelection === true;
    const nodeName = perDevice ? nd.device.nodeName : nd.slice.spec.nodeName;
    const sel = perDevice ? nd.device.nodeSelector : nd.slice.spec.nodeSelector;
    if (nodeName || nd.device.bindsToNode) return pinnedTo(p.view.node);
    if (!sel) continue;
    const terms = sel.nodeSelectorTerms ?? [];
    if (terms.length > 1) {
      throw new AllocationError(`create NodeSelector for claim ${claimName}: unsupported ResourceSlice.NodeSelector with ${terms.length} terms`);
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
 * The selector that pins a claim to `node`, one per Node object (most claims are pinned: this
 * object is in every result on the node). Frozen, nested parts too: results share it, so
 * nothing may change it in place.
 */
const pinned = new WeakMap<Node, NodeSelector>();
function pinnedTo(node: Node): NodeSelector {
  let sel = pinned.get(node);
  if (!sel) {
    const field = Object.freeze({ key: 'metadata.name', operator: 'In', values: Object.freeze([node.metadata.name]) as string[] });
    const term = Object.freeze({ matchFields: Object.freeze([field]) as NodeSelectorRequirement[] });
    sel = Object.freeze({ nodeSelectorTerms: Object.freeze([term]) as NodeSelector['nodeSelectorTerms'] });
    pinned.set(node, sel);
  }
  return sel;
}

function addNew(from: NodeSelectorRequirement[], to: NodeSelectorRequirement[]): void {
  for (const r of from) {
    if (!to.some((t) => JSON.stringify(t) === JSON.stringify(r))) to.push(r);
  }
}
