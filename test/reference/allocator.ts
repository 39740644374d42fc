/**
 * A slow, readable reference allocator: upstream's structured allocator (Kubernetes v1.36,
 * `structured/internal/experimental`, which equals `incubating` apart from list-type
 * attributes) written down as directly as possible, to check the engine against.
 *
 * It shares no search code with the engine (nothing from src/compile/problem.ts, src/wasm or
 * assembly/). Reused pure helpers, each because re-writing it would only add a second copy of
 * the same parsing rules:
 * - src/model/quantity.ts — exact Kubernetes quantities;
 * - src/model/nodes.ts — core/v1 node selector matching (per-device node selection);
 * - src/model/pools.ts `gatherPools` — slice relevance, generations, completeness (validity and
 *   order are recomputed in ./pools.ts);
 * - src/cel `compileSelector` — the Kubernetes CEL environment (a second CEL
 *   implementation is out of scope; the CEL unit tests check it separately);
 * - src/features.ts — the `Features` type.
 *
 * Search (upstream `allocateOne`): claims in order, requests in order, subrequests tried in
 * order, devices in pool / slice / device order; within one request only later positions are
 * tried (combinations, not permutations); first complete solution wins; exhaustive
 * backtracking otherwise. `steps` counts allocateOne invocations like upstream's stats.
 *
 * Counter accounting (`counterAccounting`, as the engine's option): `upstream` (default) keeps
 * v1.36's bookkeeping — allocateDevice takes a device's counters before the taint, constraint
 * and (All mode) capacity checks and keeps them when those reject the device; a share's rollback
 * never gives counters back; a share takes them unless the device has an entry in
 * AggregatedCapacity or allocatingCapacity (upstream's map semantics: Insert creates the entry,
 * Remove deletes it once what is left is all zero, and is skipped for a device without
 * capacities). `exact` gives counters back on every rejection and rollback, and a
 * multi-allocatable device holds them while it has any share. Not replicated in either mode:
 * upstream also keeps the constraint entries when the capacity check of an All request fails.
 */

import { randomUUID } from 'node:crypto';
import type { Device, DeviceClass, DeviceRequest, DeviceToleration, DraObject, Node, ResourceClaim, ResourceSlice } from '../../src/model/types.js';
import type { Features } from '../../src/features.js';
import type { Outcome } from '../../src/outcome.js';
import { Quantity } from '../../src/model/quantity.js';
import { nodeMatches } from '../../src/model/nodes.js';
import { compileSelector, CelCompileError, CelRuntimeError } from '../../src/cel/index.js';
import { DistinctAttribute, MatchAttribute, type Constraint, type RequestNames } from './constraints.js';
import { addConsumed, consumedByShare, fitsCapacity, type Consumed } from './capacity.js';
import { ReferenceAllocatedState, deviceKey } from './allocated-state.js';
import { poolsForNode, type RefPool } from './pools.js';
import { buildAllocationResult, ResultError, type ChosenRequest, type Pick } from './results.js';

export interface ReferenceInput {
  /** Nodes, DeviceClasses, ResourceSlices and allocated claims (with status.allocation). */
  objects: readonly DraObject[];
  /** The claims to allocate together, in order. */
  claims: readonly ResourceClaim[];
  node: string;
  features: Features;
  /** Default `upstream`. */
  counterAccounting?: 'upstream' | 'exact';
}

/** Upstream `resourceapi.AllocationResultsMaxSize`. */
const MAX_RESULTS = 32;

/** A fatal allocation error (upstream: Allocate returns an error). */
class FatalError extends Error {}

/** Upstream `errAllocationResultMaxSizeExceeded`: not fatal, makes callers backtrack harder. */
const MAXSIZE = 'maxsize' as const;
type Answer = boolean | typeof MAXSIZE;

/** One request or subrequest as upstream's `requestAccessor` sees it. */
interface Req {
  name: string;
  className: string;
  mode: string;
  count: number;
  /** Admin access asked for (subrequests never do). */
  adminAccess: boolean;
  /** The field is set at all (`hasAdminAccess`), even to false. */
  hasAdminAccess: boolean;
  selectors: { cel?: { expression: string } }[];
  tolerations: DeviceToleration[];
  capacityRequests?: Record<string, string>;
}

/** A device at its place in the search order. */
interface Candidate {
  id: string;
  device: Device;
  slice: ResourceSlice;
  pool: RefPool;
  /** Position in the pool: index among its device slices, index in the slice. */
  sliceIndex: number;
  deviceIndex: number;
}

interface RequestData {
  req: Req;
  /** The name of the parent request of a subrequest. */
  parent?: string;
  deviceClass: DeviceClass;
  numDevices: number;
  /** All mode: the devices it must take. */
  allDevices: Candidate[];
  /** On subrequest 0: which subrequest the solution uses. */
  selectedSub: number;
}

interface Position {
  claim: number;
  request: number;
  sub: number;
  device: number;
}
interface Location {
  pool: number;
  slice: number;
  device: number;
}
const START: Location = { pool: 0, slice: 0, device: 0 };
const ZERO = Quantity.fromInt(0);

export function referenceAllocate(input: ReferenceInput): Outcome {
  const node = input.objects.find((o): o is Node => o.kind === 'Node' && o.metadata.name === input.node);
  if (!node) return { kind: 'error', message: `node ${input.node} not found: the input has no Node object with that name` };
  if (input.objects.some((o) => o.kind === 'DeviceTaintRule')) throw new Error('the reference allocator does not apply DeviceTaintRules');
  const search = new Search(input, node);
  try {
    const results = search.run();
    if (results === undefined) {
      if (search.pools.some((p) => p.invalid)) return { kind: 'error', message: 'invalid resource pools were encountered', stats: { steps: search.steps } };
      return { kind: 'unsatisfiable', reason: `cannot allocate all claims on node ${input.node}`, stats: { steps: search.steps } };
    }
    return { kind: 'allocated', results, stats: { steps: search.steps } };
  } catch (e) {
    if (e instanceof FatalError || e instanceof ResultError) return { kind: 'error', message: e.message, stats: { steps: search.steps } };
    throw e;
  }
}

/** klog.KObj: `namespace/name` or `name`. */
function ref(claim: ResourceClaim): string {
  const name = claim.metadata.name ?? '';
  return claim.metadata.namespace ? `${claim.metadata.namespace}/${name}` : name;
}

function exactReq(r: DeviceRequest): Req {
  const e = r.exactly!;
  return {
    name: r.name,
    className: e.deviceClassName,
    mode: e.allocationMode ?? 'ExactCount',
    count: e.count ?? 1,
    adminAccess: e.adminAccess === true,
    hasAdminAccess: e.adminAccess !== undefined,
    selectors: e.selectors ?? [],
    tolerations: e.tolerations ?? [],
    capacityRequests: e.capacity?.requests,
  };
}

function subReq(s: NonNullable<DeviceRequest['firstAvailable']>[number]): Req {
  return {
    name: s.name,
    className: s.deviceClassName,
    mode: s.allocationMode ?? 'ExactCount',
    count: s.count ?? 1,
    adminAccess: false,
    hasAdminAccess: false,
    selectors: s.selectors ?? [],
    tolerations: s.tolerations ?? [],
    capacityRequests: s.capacity?.requests,
  };
}

/** Upstream `ToleratesTaint`. */
function tolerates(t: DeviceToleration, taint: { key: string; value?: string; effect: string }): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  if (!t.operator || t.operator === 'Equal') return (t.value ?? '') === (taint.value ?? '');
  return t.operator === 'Exists';
}

/** Upstream `taintPreventsAllocation`: an untolerated NoSchedule or NoExecute taint (others are ignored). */
function taintPrevents(device: Device, tolerations: DeviceToleration[]): boolean {
  return (device.taints ?? []).some((taint) => (taint.effect === 'NoSchedule' || taint.effect === 'NoExecute') && !tolerations.some((t) => tolerates(t, taint)));
}

class Search {
  readonly pools: RefPool[];
  steps = 0;
  private readonly f: Features;
  private readonly claims: readonly ResourceClaim[];
  private readonly classes = new Map<string, DeviceClass>();
  private readonly allocated: ReferenceAllocatedState;
  private readonly requestData = new Map<string, RequestData>();
  private readonly constraints: Constraint[][] = [];
  private readonly matchCache = new Map<string, boolean>();
  /** Device → claims it is being allocated for (not for multi-allocatable devices). */
  private readonly allocating = new Map<string, Set<number>>();
  /** Multi-allocatable device → shares in progress and what they consume together. */
  private readonly allocatingShares = new Map<string, { shares: number; consumed: Consumed }>();
  /** Devices with an entry in upstream's `allocatingCapacity` map (see the accounting notes above). */
  private readonly allocatingCapacityKeys = new Set<string>();
  private readonly exact: boolean;
  /** Pool → counter set → counter → amount consumed by devices being allocated. */
  private readonly consumedCounters = new Map<string, Map<string, Map<string, Quantity>>>();
  private readonly availableCounters = new Map<string, Map<string, Map<string, Quantity>>>();
  private readonly picks: Pick[][];

  constructor(
    private readonly input: ReferenceInput,
    private readonly node: Node,
  ) {
    this.f = input.features;
    this.exact = input.counterAccounting === 'exact';
    this.claims = input.claims;
    for (const o of input.objects) if (o.kind === 'DeviceClass') this.classes.set(o.metadata.name, o);
    const allocatedClaims = input.objects.filter((o): o is ResourceClaim => o.kind === 'ResourceClaim' && o.status?.allocation !== undefined);
    this.allocated = new ReferenceAllocatedState(allocatedClaims, this.f.consumableCapacity);
    const slices = input.objects.filter((o): o is ResourceSlice => o.kind === 'ResourceSlice');
    this.pools = poolsForNode(slices, node, this.f);
    this.picks = this.claims.map(() => []);
  }

  /** Which upstream implementation kube-scheduler would pick for the enabled features. */
  private get channel(): 'stable' | 'incubating' | 'experimental' {
    if (this.f.listTypeAttributes) return 'experimental';
    return this.f.consumableCapacity || this.f.deviceBinding ? 'incubating' : 'stable';
  }

  /** Pre-pass and search; undefined when there is no solution. */
  run() {
    this.prepare();
    const answer = this.allocateOne({ claim: 0, request: 0, sub: 0, device: 0 }, false, START);
    if (answer === MAXSIZE) throw new FatalError('allocation max size exceeded');
    if (!answer) return undefined;
    return this.claims.map((claim, i) => buildAllocationResult(claim, this.picks[i], this.chosen(i), this.node.metadata.name));
  }

  // ---- pre-pass (upstream Allocate before the search, validateDeviceRequest) ----------------

  private prepare(): void {
    this.claims.forEach((claim, c) => {
      let minDevices = 0;
      (claim.spec.devices?.requests ?? []).forEach((request, r) => {
        const subs = request.firstAvailable ?? [];
        if (!this.f.prioritizedList && subs.length > 0) {
          throw new FatalError(`claim ${ref(claim)}, request ${request.name}: has subrequests, but the DRAPrioritizedList feature is disabled`);
        }
        if (!this.f.consumableCapacity) {
          if (request.exactly?.capacity !== undefined) {
            throw new FatalError(`claim ${ref(claim)}, request ${request.name}: has capacity requests, but the DRAConsumableCapacity feature is disabled`);
          }
          const sub = subs.find((s) => s.capacity !== undefined);
          if (sub) throw new FatalError(`claim ${ref(claim)}, subrequest ${sub.name}: has capacity requests, but the DRAConsumableCapacity feature is disabled`);
        }
        if (subs.length > 0) {
          minDevices += Math.min(...subs.map((s, i) => this.validate(c, r, i, subReq(s), request.name).numDevices));
        } else {
          minDevices += this.validate(c, r, 0, exactReq(request), undefined).numDevices;
        }
      });
      if (minDevices > MAX_RESULTS) {
        throw new FatalError(`claim ${ref(claim)}: number of requested devices ${minDevices} exceeds the claim limit of ${MAX_RESULTS}`);
      }
      this.constraints[c] = (claim.spec.devices?.constraints ?? []).map((k, i) => {
        const names = new Set(k.requests ?? []);
        if (k.matchAttribute !== undefined) return new MatchAttribute(names, k.matchAttribute, this.f.listTypeAttributes);
        // The stable implementation (picked when no newer feature is on) knows only matchAttribute.
        if (k.distinctAttribute !== undefined && this.channel !== 'stable') return new DistinctAttribute(names, k.distinctAttribute, this.f.listTypeAttributes);
        throw new FatalError(`claim ${ref(claim)}, constraint #${i}: empty constraint (unsupported constraint type?)`);
      });
    });
  }

  private validate(c: number, r: number, s: number, req: Req, parent: string | undefined): RequestData {
    const claim = ref(this.claims[c]);
    req.selectors.forEach((sel, i) => {
      if (!sel.cel) throw new FatalError(`claim ${claim}, request ${req.name}, selector #${i}: CEL expression empty (unsupported selector type?)`);
    });
    if (!this.f.adminAccess && req.hasAdminAccess) {
      throw new FatalError(`claim ${claim}, request ${req.name}: admin access is requested, but the feature is disabled`);
    }
    if (!req.className) throw new FatalError(`claim ${claim}, request ${req.name}: missing device class name (unsupported request type?)`);
    const deviceClass = this.classes.get(req.className);
    if (!deviceClass) {
      throw new FatalError(
        `claim ${claim}, request ${req.name}: could not retrieve device class ${req.className}: deviceclass.resource.k8s.io "${req.className}" not found`,
      );
    }
    const rd: RequestData = { req, parent, deviceClass, numDevices: 0, allDevices: [], selectedSub: 0 };
    this.requestData.set(`${c}/${r}/${s}`, rd);
    if (req.mode === 'ExactCount') {
      rd.numDevices = req.count;
    } else if (req.mode === 'All') {
      for (const pool of this.pools) {
        if (pool.incomplete) throw new FatalError(`claim ${claim}, request ${req.name}: asks for all devices, but resource pool ${pool.id} is currently being updated`);
        if (pool.invalid) throw new FatalError(`claim ${claim}, request ${req.name}: asks for all devices, but resource pool ${pool.id} is currently invalid`);
        for (const cand of this.candidates(pool)) {
          if (!this.isSelectable(c, r, s, rd, cand)) continue;
          if (this.f.consumableCapacity && !this.capacityFits(req, cand)) continue;
          rd.allDevices.push(cand);
        }
      }
      rd.numDevices = rd.allDevices.length;
    } else {
      throw new FatalError(`claim ${claim}, request ${req.name}: unsupported count mode ${req.mode}`);
    }
    return rd;
  }

  /** The pool's devices in search order, from a position on. */
  private *candidates(pool: RefPool, from: { slice: number; device: number } = START): Generator<Candidate> {
    for (let si = from.slice; si < pool.deviceSlices.length; si++) {
      const slice = pool.deviceSlices[si];
      const devices = slice.spec.devices ?? [];
      for (let di = si === from.slice ? from.device : 0; di < devices.length; di++) {
        const device = devices[di];
        yield { id: deviceKey(pool.driver, pool.name, device.name), device, slice, pool, sliceIndex: si, deviceIndex: di };
      }
    }
  }

  private data(c: number, r: number, s: number): RequestData | undefined {
    return this.requestData.get(`${c}/${r}/${s}`);
  }

  // ---- search (upstream allocateOne) ----------------------------------------------------------

  private allocateOne(p: Position, inSubRequest: boolean, start: Location): Answer {
    this.steps++;
    if (p.claim >= this.claims.length) return true;
    const claim = this.claims[p.claim];
    if (p.request >= (claim.spec.devices?.requests?.length ?? 0)) {
      const a = this.allocateOne({ claim: p.claim + 1, request: 0, sub: 0, device: 0 }, false, START);
      return a === MAXSIZE ? false : a; // a later claim may fit with other choices here
    }
    const rd = this.data(p.claim, p.request, p.sub)!;
    if (!inSubRequest && rd.parent) {
      let allExceeded = true;
      for (let sub = 0; this.data(p.claim, p.request, sub); sub++) {
        const a = this.allocateOne({ ...p, sub }, true, START);
        if (a === MAXSIZE) continue;
        allExceeded = false;
        if (a) {
          this.data(p.claim, p.request, 0)!.selectedSub = sub;
          return true;
        }
      }
      return allExceeded ? MAXSIZE : false;
    }
    const all = rd.req.mode === 'All';
    if (all && rd.allDevices.length === 0) return false; // All needs at least one device
    if (p.device >= rd.numDevices) return this.allocateOne({ claim: p.claim, request: p.request + 1, sub: 0, device: 0 }, false, START);
    if (this.picks[p.claim].length + rd.numDevices - p.device > MAX_RESULTS) return MAXSIZE;

    if (all) {
      const undo = this.allocateDevice(p, rd.allDevices[p.device], true);
      if (!undo) return false;
      const a = this.allocateOne({ ...p, device: p.device + 1 }, inSubRequest, START);
      if (a !== true) undo();
      return a;
    }
    for (let pi = start.pool; pi < this.pools.length; pi++) {
      const pool = this.pools[pi];
      if (pool.incomplete || pool.invalid) continue;
      const from = pi === start.pool ? start : START;
      for (const cand of this.candidates(pool, from)) {
        if (rd.req.adminAccess ? this.allocatingFor(cand.id, p.claim) : this.inUse(cand.id)) continue;
        if (!this.isSelectable(p.claim, p.request, p.sub, rd, cand)) continue;
        if (this.f.consumableCapacity && !this.capacityFits(rd.req, cand)) continue;
        const undo = this.allocateDevice(p, cand, false);
        if (!undo) continue;
        const a = this.allocateOne({ ...p, device: p.device + 1 }, inSubRequest, { pool: pi, slice: cand.sliceIndex, device: cand.deviceIndex + 1 });
        if (a === true) return true;
        undo();
        if (a === MAXSIZE) return MAXSIZE;
      }
    }
    return false;
  }

  private inUse(id: string): boolean {
    return this.allocated.dedicated.has(id) || (this.allocating.get(id)?.size ?? 0) > 0;
  }
  private allocatingFor(id: string, claim: number): boolean {
    return this.allocating.get(id)?.has(claim) ?? false;
  }
  /**
   * Whether a new share of the device takes no counters: exact — some share is allocated or being
   * allocated; upstream (`deviceCapacityInUse`) — the device has an AggregatedCapacity or
   * allocatingCapacity entry.
   */
  private capacityInUse(id: string): boolean {
    if (this.exact) return this.allocated.shared.has(id) || (this.allocatingShares.get(id)?.shares ?? 0) > 0;
    return this.allocated.aggregated.has(id) || this.allocatingCapacityKeys.has(id);
  }

  private capacityFits(req: Req, cand: Candidate): boolean {
    return fitsCapacity(req.capacityRequests, cand.device, this.allocated.aggregated.get(cand.id), this.allocatingShares.get(cand.id)?.consumed);
  }

  /** Upstream `isSelectable`: class and request selectors (cached per device and request) and per-device node selection. */
  private isSelectable(c: number, r: number, s: number, rd: RequestData, cand: Candidate): boolean {
    if (!this.f.deviceBinding && (cand.device.bindingConditions?.length ?? 0) > 0) return false;
    const key = `${cand.id}\u0000${c}/${r}/${s}`;
    let ok = this.matchCache.get(key);
    if (ok === undefined) {
      ok =
        this.selectorsMatch(`class ${rd.deviceClass.metadata.name}`, rd.deviceClass.spec.selectors ?? [], cand) &&
        this.selectorsMatch(`claim ${ref(this.claims[c])}`, rd.req.selectors, cand) &&
        (cand.slice.spec.perDeviceNodeSelection !== true || nodeMatches(this.node, cand.device.nodeName, cand.device.allNodes, cand.device.nodeSelector));
      this.matchCache.set(key, ok);
    }
    return ok;
  }

  private selectorsMatch(who: string, selectors: { cel?: { expression: string } }[], cand: Candidate): boolean {
    const opts = { consumableCapacity: this.f.consumableCapacity, listTypeAttributes: this.f.listTypeAttributes };
    for (let i = 0; i < selectors.length; i++) {
      let matches: boolean;
      try {
        matches = compileSelector(selectors[i].cel!.expression, opts).evaluate(cand.device, cand.pool.driver);
      } catch (e) {
        if (e instanceof CelCompileError) throw new FatalError(`${who}: selector #${i}: CEL compile error: ${e.message}`);
        // v1.36 does not name the device (kubernetes#136709 added that, and more detail, in 1.37).
        if (e instanceof CelRuntimeError) throw new FatalError(`${who}: selector #${i}: CEL runtime error: ${e.message}`);
        throw e;
      }
      if (!matches) return false;
    }
    return true;
  }

  /**
   * Upstream `allocateDevice`: checks availability, counters, taints and constraints for one
   * candidate and records it. Returns the undo function, or undefined when the device cannot be
   * used; with `must` (All mode) a violated constraint is a fatal error.
   */
  private allocateDevice(p: Position, cand: Candidate, must: boolean): (() => void) | undefined {
    const rd = this.data(p.claim, p.request, p.sub)!;
    const req = rd.req;
    const { device, id } = cand;
    const allowMulti = this.f.consumableCapacity && device.allowMultipleAllocations === true;
    if (!allowMulti && req.adminAccess && this.allocatingFor(id, p.claim)) return undefined;
    if (!req.adminAccess && this.inUse(id)) return undefined;
    const consumes = device.consumesCounters ?? [];
    if (!this.f.partitionableDevices && consumes.length > 0) return undefined;

    const undo: (() => void)[] = [];
    const rollback = () => undo.reverse().forEach((u) => u());
    // A multi-allocatable device consumes its counters once, with its first share.
    const counters = !(allowMulti && this.capacityInUse(id)) && consumes.length > 0;
    if (counters && !this.takeCounters(cand, 1)) return undefined;
    const giveBack = () => this.takeCounters(cand, -1);
    // Exact accounting gives the counters back on a rejection from here on; upstream keeps them.
    if (counters && this.exact) undo.push(giveBack);
    if (this.f.deviceTaints && taintPrevents(device, req.tolerations)) {
      rollback();
      return undefined;
    }
    const names: RequestNames = rd.parent ? { request: rd.parent, sub: req.name } : { request: req.name, sub: '' };
    for (const k of this.constraints[p.claim]) {
      if (!k.add(names, device, cand.pool.driver)) {
        rollback();
        if (must) {
          throw new FatalError(`claim ${ref(this.claims[p.claim])}, request ${req.name}: cannot add device ${id} because a claim constraint would not be satisfied`);
        }
        return undefined;
      }
      undo.push(() => k.remove(names));
    }
    if (!allowMulti) {
      const claims = this.allocating.get(id) ?? new Set<number>();
      this.allocating.set(id, claims);
      claims.add(p.claim);
      undo.push(() => claims.delete(p.claim));
    }
    let share: Consumed | undefined;
    if (this.f.consumableCapacity) {
      if (!this.capacityFits(req, cand)) {
        rollback();
        return undefined;
      }
      if (allowMulti) {
        share = consumedByShare(req.capacityRequests, device);
        const entry = this.allocatingShares.get(id) ?? { shares: 0, consumed: new Map() };
        this.allocatingShares.set(id, entry);
        entry.shares++;
        addConsumed(entry.consumed, share);
        this.allocatingCapacityKeys.add(id);
        undo.push(() => {
          entry.shares--;
          addConsumed(entry.consumed, share!, -1);
          // Upstream Remove (only with a consumedCapacity to remove): the entry goes once it is all zero.
          if (share!.size > 0 && [...entry.consumed.values()].every((v) => v.sign() === 0)) this.allocatingCapacityKeys.delete(id);
        });
      }
    }
    const picks = this.picks[p.claim];
    picks.push({
      device,
      slice: cand.slice,
      result: {
        request: rd.parent ? `${rd.parent}/${req.name}` : req.name,
        driver: cand.pool.driver,
        pool: cand.pool.name,
        device: device.name,
        ...(req.adminAccess ? { adminAccess: true } : {}),
        ...(req.tolerations.length > 0 ? { tolerations: req.tolerations } : {}),
        ...(this.f.deviceBinding && device.bindingConditions?.length ? { bindingConditions: device.bindingConditions } : {}),
        ...(this.f.deviceBinding && device.bindingFailureConditions?.length ? { bindingFailureConditions: device.bindingFailureConditions } : {}),
        ...(allowMulti ? { shareID: randomUUID() } : {}),
        ...(share && share.size > 0 ? { consumedCapacity: Object.fromEntries([...share].map(([k, v]) => [k, v.toString()])) } : {}),
      },
    });
    undo.push(() => picks.pop());
    // Upstream's rollback gives counters back for a dedicated device only.
    if (counters && !this.exact && !allowMulti) undo.unshift(giveBack);
    return rollback;
  }

  /**
   * Upstream `checkAvailableCounters` (sign 1) and `deallocateCountersForDevice` (-1). Taking
   * fails, and changes nothing, when afterwards *any* counter of the pool has less available
   * than is being consumed (also one this device does not use: an overallocated pool blocks
   * every device that consumes counters from it).
   */
  private takeCounters(cand: Candidate, sign: 1 | -1): boolean {
    const available = this.available(cand.pool);
    const consumed = this.consumedCounters.get(cand.pool.id) ?? new Map<string, Map<string, Quantity>>();
    this.consumedCounters.set(cand.pool.id, consumed);
    const apply = (s: 1 | -1) => {
      for (const c of cand.device.consumesCounters ?? []) {
        const set = consumed.get(c.counterSet) ?? new Map<string, Quantity>();
        consumed.set(c.counterSet, set);
        addConsumed(set, new Map(Object.entries(c.counters ?? {}).map(([k, v]) => [k, Quantity.parse(v.value)])), s);
      }
    };
    apply(sign);
    if (sign < 0) return true;
    for (const [setName, counters] of available) {
      for (const [name, avail] of counters) {
        if (avail.cmp(consumed.get(setName)?.get(name) ?? ZERO) < 0) {
          apply(-1);
          return false;
        }
      }
    }
    return true;
  }

  /** What the pool's counter sets have left after the allocated devices (on any node); computed once. */
  private available(pool: RefPool): Map<string, Map<string, Quantity>> {
    let sets = this.availableCounters.get(pool.id);
    if (sets) return sets;
    sets = new Map();
    for (const cs of pool.counterSlices.flatMap((s) => s.spec.sharedCounters ?? [])) {
      sets.set(cs.name, new Map(Object.entries(cs.counters ?? {}).map(([k, v]) => [k, Quantity.parse(v.value)])));
    }
    for (const slice of pool.allSlices) {
      for (const d of slice.spec.devices ?? []) {
        if (!this.allocated.isAllocated(deviceKey(pool.driver, pool.name, d.name))) continue;
        for (const c of d.consumesCounters ?? []) {
          const set = sets.get(c.counterSet);
          for (const [name, v] of Object.entries(c.counters ?? {})) {
            const have = set?.get(name);
            if (have !== undefined) set!.set(name, have.sub(Quantity.parse(v.value)));
          }
        }
      }
    }
    this.availableCounters.set(pool.id, sets);
    return sets;
  }

  /** The class and name each request of claim `c` ended up with (the chosen subrequest's). */
  private chosen(c: number): ChosenRequest[] {
    return (this.claims[c].spec.devices?.requests ?? []).map((request, r) => {
      const head = this.data(c, r, 0)!;
      const rd = head.parent ? this.data(c, r, head.selectedSub)! : head;
      return { name: request.name, subName: rd.parent ? `${request.name}/${rd.req.name}` : undefined, deviceClass: rd.deviceClass };
    });
  }
}
