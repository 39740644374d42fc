/**
 * Compiles one Allocate call (claims × one node) into the integer problem the WASM solver
 * searches: per (slot, device) status bits, counters, shareable capacity, constraints.
 * Everything that needs strings, CEL or Kubernetes objects happens here; the solver gets
 * numbers only. Upstream's pre-pass errors are raised here, in upstream's order.
 */

import type { DeviceAttribute, DeviceClass, Node, ResourceClaim } from '../model/types.js';
import type { Features } from '../features.js';
import { AllocationError } from '../outcome.js';
import { planClaims, claimRef, type Plan, type Slot } from '../model/requests.js';
import { FLAG_AGGREGATED, FLAG_SHARED, type AllocatedState } from '../model/allocated.js';
import type { SelectorMasks } from './selectors.js';
import { nodeDevices, type NodeDevice, type NodeView } from './nodeview.js';
import { parseQuantity, type Quantity } from '../model/quantity.js';
import { capacityCheck, capacityLeftMiss, heldByOthers, isError, isShared, partitionableMiss, selectableMiss, taintMiss, type Miss } from './eligibility.js';
import { Interner } from './intern.js';
import { CONS, DEV, MAX_ELEMS, MAX_RESULTS_PER_CLAIM, ST, searchDepth } from '../wasm/layout.js';
import type { SolverInput } from '../wasm/input.js';


/** One shareable capacity of a multi-allocatable device: its device, name and value (milli). */
export interface CapEntry {
  device: number;
  name: string;
  value: bigint;
}

/**
 * The solver's input (wasm/input.ts: the integer arrays) and what the host keeps beside it:
 * the objects decoding needs (view, claims, plan) and the errors, capacities and shares that
 * are looked up by (slot, device) after the search.
 */
export interface Problem extends SolverInput {
  view: NodeView;
  claims: readonly ResourceClaim[];
  plan: Plan;
  /** (slot × D + device) → the error the search raises when it reaches that pair. */
  errors: Map<number, string>;
  capEntries: CapEntry[];
  /** No pair raises an error and no slot is All (whose device list depends on the state): reusable after refreshDynamic. */
  cacheable: boolean;
  /** Per device: 1 for a multi-allocatable one (DRAConsumableCapacity); depends on device contents only. */
  multi: Uint8Array;
  /** (slot × D + device) → what one share consumes (multi-allocatable devices only). */
  consumed: Map<number, Map<string, Quantity>>;
}

export interface CompileContext {
  features: Features;
  classes: ReadonlyMap<string, DeviceClass>;
  masks: SelectorMasks;
  allocated: AllocatedState;
}

/**
 * Compiles `claims` on one node into the solver's integer problem, in named steps: the shareable
 * capacity of multi-allocatable devices, the plan (requests → slots, All-mode device lists), the
 * (slot × device) table, the devices' counter consumption and the request/claim indexes. Throws
 * AllocationError where upstream's Allocate fails before searching.
 */
export function compileProblem(view: NodeView, claims: readonly ResourceClaim[], ctx: CompileContext): Problem {
  const { features } = ctx;
  const devices = nodeDevices(view);
  const multi = devices.map((nd) => isShared(nd, features));
  const capacity = shareableCapacity(devices, multi, ctx.allocated);
  const plan = planWithAllDevices(view, devices, claims, ctx, multi);
  const pairs = pairTable(plan, claims, view, devices, ctx, multi, capacity.index);
  const counters = deviceCounters(view, features);
  const index = requestIndex(plan, claims);

  const problem: Problem = {
    view,
    claims,
    plan,
    ...index,
    status: pairs.status,
    errors: pairs.errors,
    ...counters,
    counterAvail: view.counters.avail.slice(),
    capAvail: BigInt64Array.from(capacity.avail),
    capEntries: capacity.entries,
    cacheable: pairs.errors.size === 0 && plan.slots.every((s) => s.mode !== 'All'),
    multi: Uint8Array.from(multi, Number),
    capuseStart: pairs.capuseStart,
    capuseIdx: Int32Array.from(pairs.capuseIdx),
    capuseAmt: BigInt64Array.from(pairs.capuseAmt),
    consumed: pairs.consumed,
    cons: compileConstraints(plan, devices, features),
    maxPicks: MAX_RESULTS_PER_CLAIM * claims.length,
  };
  refreshDynamic(problem, view, ctx.allocated, features);
  return problem;
}

/**
 * Shareable capacity of multi-allocatable devices: one entry per (device, capacity name), its
 * index by `${d}\0${name}`, and what is left of it now (the dynamic part).
 */
function shareableCapacity(devices: readonly NodeDevice[], multi: readonly boolean[], allocated: AllocatedState) {
  const index = new Map<string, number>();
  const entries: CapEntry[] = [];
  devices.forEach((nd, d) => {
    if (!multi[d]) return;
    for (const [name, cap] of Object.entries(nd.device.capacity ?? {})) {
      index.set(`${d}\u0000${name}`, entries.length);
      entries.push({ device: d, name, value: parseQuantity(cap.value).milli() });
    }
  });
  const avail = entries.map((e) => e.value - allocated.consumedAt(devices[e.device].index, e.name).milli());
  return { index, entries, avail };
}

/** The claims' plan; an All-mode slot's devices are listed pool by pool, as upstream lists them. */
function planWithAllDevices(view: NodeView, devices: readonly NodeDevice[], claims: readonly ResourceClaim[], ctx: CompileContext, multi: readonly boolean[]): Plan {
  const { features } = ctx;
  /** Capacity check of upstream's CmpRequestOverCapacity, against what is left now. */
  const capacityFits = (slot: Slot, d: number): boolean => {
    const { miss, consumed } = capacityCheck(slot, devices[d], features);
    return !miss && !(multi[d] && capacityLeftMiss(devices[d], consumed!, ctx.allocated));
  };
  return planClaims(claims, {
    features,
    classes: ctx.classes,
    allDevices: (slot) => {
      const ref = claimRef(claims[slot.claim]);
      const name = slot.subName || slot.parentName;
      // Pool by pool, as upstream: a pool's state is checked when the loop gets to it, after
      // the devices of the pools before it were evaluated (whose selectors may fail first).
      const out: number[] = [];
      let d = 0;
      for (const pool of view.pools) {
        if (pool.incomplete) {
          throw new AllocationError(`claim ${ref}, request ${name}: asks for all devices, but resource pool ${pool.id} is currently being updated`);
        }
        if (pool.invalid) {
          throw new AllocationError(`claim ${ref}, request ${name}: asks for all devices, but resource pool ${pool.id} is currently invalid`);
        }
        for (; d < devices.length && devices[d].pool === pool; d++) {
          const miss = selectableMiss(slot, devices[d], view.node, ctx);
          if (isError(miss)) throw new AllocationError(errorText(miss!, slot, ref));
          if (miss) continue;
          if (features.consumableCapacity && !capacityFits(slot, d)) continue;
          out.push(d);
        }
      }
      return out;
    },
  });
}

/**
 * The (slot × device) table: each pair's status bits, the error the search raises on reaching
 * it, and for multi-allocatable devices what one share consumes (as capacity-entry indexes and
 * amounts, CSR by pair).
 */
function pairTable(plan: Plan, claims: readonly ResourceClaim[], view: NodeView, devices: readonly NodeDevice[], ctx: CompileContext, multi: readonly boolean[], capIndex: Map<string, number>) {
  const D = devices.length;
  const S = plan.slots.length;
  const status = new Uint8Array(S * D);
  const errors = new Map<number, string>();
  const consumed = new Map<number, Map<string, Quantity>>();
  const capuseStart = new Int32Array(S * D + 1);
  const capuseIdx: number[] = [];
  const capuseAmt: bigint[] = [];
  plan.slots.forEach((slot, s) => {
    const ref = claimRef(claims[slot.claim]);
    devices.forEach((nd, d) => {
      const k = s * D + d;
      capuseStart[k] = capuseIdx.length;
      const st = pairStatus(slot, nd, ref, view.node, ctx);
      status[k] = st.bits;
      if (st.error !== undefined) errors.set(k, st.error);
      // A tainted device too: under upstream accounting the search checks its capacity first.
      if (st.consumed && multi[d] && st.bits & (ST.STATIC_OK | ST.TAINTED)) {
        consumed.set(k, st.consumed);
        for (const [name, amount] of st.consumed) {
          capuseIdx.push(capIndex.get(`${d}\u0000${name}`)!);
          capuseAmt.push(amount.milli());
        }
      }
    });
  });
  capuseStart[S * D] = capuseIdx.length;
  return { status, errors, consumed, capuseStart, capuseIdx, capuseAmt };
}

/** Per device: its flags (filled by refreshDynamic), its counter consumption (CSR, the view's) and its pool's counter range. */
function deviceCounters(view: NodeView, features: Features) {
  const D = view.slots.length;
  const devFlags = new Int32Array(D);
  const poolStart = new Int32Array(D);
  const poolEnd = new Int32Array(D);
  for (let d = 0; d < D; d++) {
    const p = view.poolOf[d];
    poolStart[d] = view.counters.poolRange[2 * p];
    poolEnd[d] = view.counters.poolRange[2 * p + 1];
  }
  // Without DRAPartitionableDevices no device consumes counters (partitionableMiss drops them).
  const uses = features.partitionableDevices ? view.uses : { start: new Int32Array(D + 1), counter: new Int32Array(0), amount: new BigInt64Array(0) };
  return { devFlags, devCntStart: uses.start.slice(), cntIdx: uses.counter.slice(), cntAmt: uses.amount.slice(), devPoolCnt: [poolStart, poolEnd] as [Int32Array, Int32Array] };
}

/** Where each request's slots and each claim's requests start, the All-mode device lists (CSR), and the frame depth they need. */
function requestIndex(plan: Plan, claims: readonly ResourceClaim[]) {
  const S = plan.slots.length;
  const reqSlotStart = new Int32Array(plan.requests.length + 1);
  plan.requests.forEach((r, i) => (reqSlotStart[i + 1] = reqSlotStart[i] + r.slots.length));
  const claimReqStart = new Int32Array(claims.length + 1);
  for (const r of plan.requests) claimReqStart[r.claim + 1]++;
  for (let c = 0; c < claims.length; c++) claimReqStart[c + 1] += claimReqStart[c];

  const allStart = new Int32Array(S + 1);
  const allList: number[] = [];
  plan.slots.forEach((slot, s) => {
    allStart[s] = allList.length;
    allList.push(...slot.allDevices);
  });
  allStart[S] = allList.length;

  // Per claim, per request: the most devices one of its slots needs (the frame-depth rule).
  const picks = claims.map((_, c) => plan.requests.filter((r) => r.claim === c).map((r) => Math.max(...r.slots.map((s) => s.numDevices))));
  return { reqSlotStart, claimReqStart, allStart, allList: Int32Array.from(allList), maxDepth: searchDepth(picks) };
}

/**
 * Brings the parts of a problem that depend on what is allocated up to date: device flags,
 * counters left, shareable capacity left. Everything else in a Problem depends only on the
 * claims' specs, the classes and the inventory, so a problem can be reused for the next Pod
 * with the same claims on the same node after this refresh.
 */
export function refreshDynamic(p: Problem, view: NodeView, allocated: AllocatedState, features: Features): void {
  p.view = view;
  const { slots } = view;
  const flags = allocated.flags;
  for (let d = 0; d < slots.length; d++) {
    const multi = p.multi[d] === 1;
    const a = flags[slots[d]];
    let f = 0;
    if (heldByOthers(a, features)) f |= DEV.ALLOCATED;
    if (multi) f |= DEV.MULTI;
    if (multi && a & FLAG_SHARED) f |= DEV.SHARED_BEFORE;
    if (multi && a & FLAG_AGGREGATED) f |= DEV.AGGREGATED_BEFORE;
    p.devFlags[d] = f;
  }
  p.counterAvail.set(view.counters.avail);
  p.capEntries.forEach((e, i) => {
    p.capAvail[i] = e.value - allocated.consumedAt(slots[e.device], e.name).milli();
  });
}


/** The status bits of one (slot, device) pair, the error its evaluation raises, what one share consumes. */
export interface PairStatus {
  bits: number;
  error?: string;
  consumed?: Map<string, Quantity>;
}

/**
 * Everything about a (slot, device) pair that does not depend on what else is allocated, as the
 * solver's status bits: selectable (or the error the selectors raise), and whether the device
 * passes the static checks of upstream's allocateDevice (eligibility.ts). ST.TAINTED: every
 * check but the taints passes (upstream takes the counters before it looks at the taints).
 */
export function pairStatus(slot: Slot, nd: NodeDevice, ref: string, node: Node, ctx: CompileContext): PairStatus {
  const sel = selectableMiss(slot, nd, node, ctx);
  if (isError(sel)) return { bits: ST.ERROR, error: errorText(sel!, slot, ref) };
  if (sel) return { bits: 0 };
  const gate = partitionableMiss(nd, ctx.features);
  const { miss, consumed } = gate ? { miss: gate, consumed: undefined } : capacityCheck(slot, nd, ctx.features);
  if (miss) return { bits: ST.SELECTABLE };
  const tainted = taintMiss(slot, nd, ctx.features) !== undefined;
  return { bits: ST.SELECTABLE | (tainted ? ST.TAINTED : ST.STATIC_OK), consumed };
}

/** The allocator's error for a miss that is an error (isError): upstream's text first. */
function errorText(miss: Miss, slot: Slot, ref: string): string {
  if (miss.check === 'node') return miss.error!;
  if (miss.check !== 'class' && miss.check !== 'selectors') throw new Error(`not an error: ${miss.check}`);
  const who = miss.check === 'class' ? `class ${slot.deviceClass.metadata.name}` : `claim ${ref}`;
  const v = miss.value;
  if (miss.expression === undefined || !v) return `${who}: selector #${miss.index}: CEL expression empty (unsupported selector type?)`;
  // A runtime error then also names the request and the expression (a compile error's message
  // already shows the expression with a caret).
  const context = v.kind === 'runtime' ? ` (request ${slot.name}, expression: ${miss.expression})` : '';
  return `${who}: selector #${miss.index}: CEL ${v.kind} error: ${v.message}${context}`;
}

/** Upstream `lookupAttribute`: the fully qualified name, or the bare id when the domain is the driver's. */
export function lookupAttribute(nd: NodeDevice, name: string): DeviceAttribute | undefined {
  const attrs = nd.device.attributes ?? {};
  if (name in attrs) return attrs[name];
  const slash = name.indexOf('/');
  if (slash < 0 || name.slice(0, slash) !== nd.slice.spec.driver) return undefined;
  return attrs[name.slice(slash + 1)];
}

function compileConstraints(plan: Plan, devices: NodeDevice[], features: Features): Problem['cons'] {
  const K = plan.constraints.length;
  const D = devices.length;
  const S = plan.slots.length;
  const values = new Int32Array(K * D);
  const elemStart = new Int32Array(K * D);
  const elems: number[] = [];
  const applies = new Uint8Array(K * S);
  const ids = new Interner();
  plan.constraints.forEach((c, k) => {
    devices.forEach((nd, d) => {
      elemStart[k * D + d] = elems.length;
      const a = lookupAttribute(nd, c.attribute);
      if (!a) return;
      const keys = elementKeys(a, features.listTypeAttributes);
      if (keys === undefined) {
        values[k * D + d] = -1;
        return;
      }
      if (keys.length > MAX_ELEMS) {
        throw new AllocationError(`device ${nd.id}: attribute ${c.attribute} has ${keys.length} values, more than the ${MAX_ELEMS} allowed`);
      }
      const set = [...new Set(keys.map((key) => ids.id(key)))].sort((x, y) => x - y);
      values[k * D + d] = set.length;
      elems.push(...set);
    });
    const names = new Set(c.requests);
    plan.slots.forEach((slot, s) => {
      if (slot.claim !== c.claim) return;
      const hit = names.size === 0 || names.has(slot.parentName) || (slot.subName !== '' && names.has(slot.name));
      applies[k * S + s] = hit ? 1 : 0;
    });
  });
  return {
    claim: Int32Array.from(plan.constraints.map((c) => c.claim)),
    kind: Int32Array.from(plan.constraints.map((c) => (c.kind === 'match' ? CONS.MATCH : CONS.DISTINCT))),
    values,
    elemStart,
    elems: Int32Array.from(elems),
    applies,
  };
}

/**
 * The typed element keys of an attribute value (values of different types never compare
 * equal): one for a scalar, one per item for a list (only with DRAListTypeAttributes);
 * undefined for a value a constraint cannot use (no value set, or a list with the gate off).
 */
export function elementKeys(a: DeviceAttribute, lists: boolean): string[] | undefined {
  if (a.string !== undefined) return [`s:${a.string}`];
  if (a.int !== undefined) return [`i:${a.int}`];
  if (a.bool !== undefined) return [`b:${a.bool}`];
  if (a.version !== undefined) return [`v:${a.version}`];
  if (!lists) return undefined;
  if (a.strings !== undefined) return a.strings.map((v) => `s:${v}`);
  if (a.ints !== undefined) return a.ints.map((v) => `i:${v}`);
  if (a.bools !== undefined) return a.bools.map((v) => `b:${v}`);
  if (a.versions !== undefined) return a.versions.map((v) => `v:${v}`);
  return undefined;
}
