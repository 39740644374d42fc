/**
 * Per-node summaries: for each request signature (class, selectors, tolerations, capacity
 * requests, admin access), how many devices of each node could serve one more such request
 * right now — each device judged alone by the allocator's rule (compile/eligibility.ts: the
 * static checks as compileProblem's status bits, then the dynamic ones). That count is an upper
 * bound of what a request can get on the node, so `free < needed` proves a node hopeless
 * without running the allocator. Counts are recomputed lazily, only for nodes whose state
 * changed since (touch), or for all nodes after a change to devices that serve many nodes.
 */

import type { Engine } from '../engine.js';
import type { Node } from '../model/types.js';
import type { Slot } from '../model/requests.js';
import { pairStatus, type CompileContext } from '../compile/problem.js';
import { ST } from '../wasm/layout.js';
import { nodeDeviceCursor, type NodeDevice, type NodeView } from '../compile/nodeview.js';
import { dynamicMiss, type DynamicContext } from '../compile/eligibility.js';
import { AllocationError } from '../outcome.js';

/** The count of a node the summary cannot judge: never rejects it. */
const UNKNOWN_FREE = 0x7fffffff;

/**
 * Signatures by request spec object, then class and admin access: a Pod's slots are new objects,
 * but the specs of claims stamped from one template are one object (pod-claims.ts), so the
 * signature text is computed once per template rather than once per Pod.
 */
const signatures = new WeakMap<object, Map<string, string>>();

/** A request's identity for counting: what decides which devices can serve it. */
export function signatureOf(slot: Slot): string {
  let bySpec = signatures.get(slot.spec);
  if (bySpec === undefined) {
    bySpec = new Map();
    signatures.set(slot.spec, bySpec);
  }
  const cls = `${slot.adminAccess ? 1 : 0}${slot.deviceClass.metadata.name}`;
  let key = bySpec.get(cls);
  if (key === undefined) {
    const s = slot.spec;
    key = JSON.stringify([slot.deviceClass.metadata.name, s.selectors ?? [], s.tolerations ?? [], s.capacity ?? {}, slot.adminAccess]);
    bySpec.set(cls, key);
  }
  return key;
}

interface Sig {
  slot: Slot;
  /**
   * Per node: the free count, and the clock value it was computed at. A count that stopped at
   * the number asked about (`admits`) is a lower bound: `partial` is 1 for those.
   */
  free: Int32Array;
  at: Float64Array;
  partial: Uint8Array;
  /**
   * Static status bits | 0x80 once known, per device content (Inventory.contentId): devices that
   * differ only in name have the same status. Devices of perDeviceNodeSelection slices, whose
   * status also depends on the node, are not cached.
   */
  statics: Map<number, number>;
}

export class NodeSummaries {
  private readonly sigs = new Map<string, Sig>();
  /** `sigs` by slot object: the slots of a plan shared by many Pods (Scheduler.planOf) find theirs at once. */
  private readonly bySlot = new WeakMap<Slot, Sig>();
  private clock = 1;
  private allStamp = 0;
  private readonly stamp: Float64Array;
  readonly nodes: Node[];

  constructor(
    private readonly engine: Engine,
    nodes: readonly Node[],
  ) {
    this.nodes = [...nodes];
    this.stamp = new Float64Array(this.nodes.length);
  }

  /** The node's state changed (a device of its own was allocated or released). */
  touch(node: number): void {
    this.stamp[node] = ++this.clock;
  }
  /** A device serving several nodes changed: every count is stale. */
  touchAll(): void {
    this.allStamp = ++this.clock;
  }

  /** Upper bound of devices of `node` that can serve one more request like `slot`. */
  free(slot: Slot, node: number): number {
    return this.counted(slot, node, UNKNOWN_FREE);
  }

  /**
   * Whether `free(slot, node) >= need`, counting only until `need` devices are found (a node
   * with many devices and few wanted is judged after a few).
   */
  admits(slot: Slot, node: number, need: number): boolean {
    return this.counted(slot, node, need) >= need;
  }

  /** The free count, or a lower bound of it that is at least `limit`. */
  private counted(slot: Slot, node: number, limit: number): number {
    let sig = this.bySlot.get(slot);
    if (!sig) {
      const key = signatureOf(slot);
      sig = this.sigs.get(key);
      if (!sig) {
        const n = this.nodes.length;
        sig = { slot, free: new Int32Array(n), at: new Float64Array(n), partial: new Uint8Array(n), statics: new Map() };
        this.sigs.set(key, sig);
      }
      this.bySlot.set(slot, sig);
    }
    const stale = sig.at[node] <= Math.max(this.stamp[node], this.allStamp);
    if (stale || (sig.partial[node] === 1 && sig.free[node] < limit)) {
      const n = this.countOrUnknown(sig, this.nodes[node], limit);
      sig.free[node] = n;
      sig.partial[node] = n >= limit && limit !== UNKNOWN_FREE ? 1 : 0;
      sig.at[node] = ++this.clock;
    }
    return sig.free[node];
  }

  /** A node whose pools cannot even be gathered (a broken slice) is left to the allocator to report. */
  private countOrUnknown(sig: Sig, node: Node, limit: number): number {
    try {
      return this.count(sig, node, limit);
    } catch (e) {
      if (e instanceof AllocationError) return UNKNOWN_FREE;
      throw e;
    }
  }

  /** Devices of `node` that can serve one more request of `sig`, counted up to `limit`. */
  private count(sig: Sig, node: Node, limit: number): number {
    const state = this.engine.inspect();
    const ctx: CompileContext = { features: state.features, classes: state.classes, masks: state.masks, allocated: state.allocated };
    const np = this.engine.nodePools(node);
    let view: NodeView | undefined;
    const now: DynamicContext = {
      features: state.features,
      allocated: state.allocated,
      accounting: this.engine.counterAccounting,
      view: () => (view ??= this.engine.nodeView(np)),
      brief: true,
    };
    const { slots } = np;
    const { inventory } = state;
    // The checks keep no device object: one cursor serves them all.
    const cursor = nodeDeviceCursor(np);
    let n = 0;
    for (let d = 0; d < slots.length; d++) {
      const perNode = inventory.sliceOf[slots[d]].spec.perDeviceNodeSelection === true;
      const content = inventory.contentId(slots[d]);
      let bits = perNode ? undefined : sig.statics.get(content);
      let nd: NodeDevice | undefined;
      if (bits === undefined) {
        bits = pairStatus(sig.slot, (nd = cursor.moveTo(d)), '', node, ctx).bits;
        if (!perNode) sig.statics.set(content, bits);
      }
      // A device whose selectors fail to evaluate counts: the allocator must report that error.
      if (bits & ST.ERROR) {
        if (++n >= limit) return n;
        continue;
      }
      if (!(bits & ST.SELECTABLE) || !(bits & ST.STATIC_OK)) continue;
      if (dynamicMiss(sig.slot, nd ?? cursor.moveTo(d), now)) continue;
      if (++n >= limit) return n;
    }
    return n;
  }
}
