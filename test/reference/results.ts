/**
 * Turning the reference search's picks into a v1 AllocationResult, as upstream v1.36's
 * `Allocate` does after a successful search: device results in allocation order, class configs
 * once per class (later requests of the same class appended), claim configs that apply to the
 * chosen (sub)requests, and the node selector of `createNodeSelector`.
 */

import type {
  AllocationResult,
  Device,
  DeviceAllocationConfiguration,
  DeviceClass,
  DeviceRequestAllocationResult,
  NodeSelector,
  NodeSelectorRequirement,
  ResourceClaim,
  ResourceSlice,
} from '../../src/model/types.js';

/** One picked device of a claim, as the search recorded it. */
export interface Pick {
  result: DeviceRequestAllocationResult;
  /** Where the device came from (node selection and bindsToNode). */
  slice: ResourceSlice;
  device: Device;
}

/** Per request of the claim (in spec order): the chosen class and `req` or `req/sub` name. */
export interface ChosenRequest {
  name: string;
  /** `req/sub` for a request with subrequests, else undefined. */
  subName?: string;
  deviceClass: DeviceClass;
}

export class ResultError extends Error {}

export function buildAllocationResult(claim: ResourceClaim, picks: Pick[], chosen: ChosenRequest[], node: string): AllocationResult {
  const config = configs(claim, chosen);
  const nodeSelector = nodeSelectorFor(claim, picks, node);
  return {
    devices: { results: picks.map((p) => p.result), ...(config.length > 0 ? { config } : {}) },
    ...(nodeSelector ? { nodeSelector } : {}),
  };
}

function configs(claim: ResourceClaim, chosen: ChosenRequest[]): DeviceAllocationConfiguration[] {
  const out: DeviceAllocationConfiguration[] = [];
  const classRange = new Map<string, [number, number]>();
  for (const c of chosen) {
    const name = c.subName ?? c.name;
    const range = classRange.get(c.deviceClass.metadata.name);
    if (range) {
      for (let i = range[0]; i < range[1]; i++) out[i].requests!.push(name);
      continue;
    }
    const start = out.length;
    for (const cfg of c.deviceClass.spec.config ?? []) out.push({ source: 'FromClass', requests: [name], opaque: cfg.opaque });
    classRange.set(c.deviceClass.metadata.name, [start, out.length]);
  }
  // v1.36 adds a claim config once per request it names (by name or as the chosen `req/sub`),
  // so a config naming two requests appears twice (kubernetes#139731 changed this in 1.37).
  for (const cfg of claim.spec.devices?.config ?? []) {
    const requests = cfg.requests ?? [];
    if (requests.length === 0) {
      out.push({ source: 'FromClaim', requests: cfg.requests, opaque: cfg.opaque });
      continue;
    }
    for (const c of chosen) {
      if (requests.includes(c.name) || (c.subName !== undefined && requests.includes(c.subName))) {
        out.push({ source: 'FromClaim', requests: cfg.requests, opaque: cfg.opaque });
      }
    }
  }
  return out;
}

function nodeSelectorFor(claim: ResourceClaim, picks: Pick[], node: string): NodeSelector | undefined {
  const fields: NodeSelectorRequirement[] = [];
  const expressions: NodeSelectorRequirement[] = [];
  for (const { slice, device } of picks) {
    const perDevice = slice.spec.perDeviceNodeSelection === true;
    const nodeName = perDevice ? device.nodeName : slice.spec.nodeName;
    const selector = perDevice ? device.nodeSelector : slice.spec.nodeSelector;
    if (nodeName || device.bindsToNode === true) {
      return { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [node] }] }] };
    }
    if (!selector) continue;
    const terms = selector.nodeSelectorTerms ?? [];
    if (terms.length > 1) {
      throw new ResultError(`create NodeSelector for claim ${claim.metadata.name}: unsupported ResourceSlice.NodeSelector with ${terms.length} terms`);
    }
    if (terms.length === 1) {
      addNew(terms[0].matchFields ?? [], fields);
      addNew(terms[0].matchExpressions ?? [], expressions);
    }
  }
  if (fields.length === 0 && expressions.length === 0) return undefined;
  return {
    nodeSelectorTerms: [{ ...(fields.length ? { matchFields: fields } : {}), ...(expressions.length ? { matchExpressions: expressions } : {}) }],
  };
}

/** Appends requirements not present yet (same key and operator, values equal as sets). */
function addNew(from: NodeSelectorRequirement[], to: NodeSelectorRequirement[]): void {
  const sameValues = (a: string[] = [], b: string[] = []) => new Set(a).size === new Set(b).size && a.every((v) => b.includes(v));
  for (const r of from) {
    if (!to.some((t) => t.key === r.key && t.operator === r.operator && sameValues(t.values, r.values))) to.push(r);
  }
}
