/**
 * The Engine: holds the cluster objects, compiles them, and allocates claims on a node the way
 * upstream's structured allocator does. The pipeline of one allocation:
 *
 *   node view (pools, devices in search order) → compile (pre-pass, masks, integers)
 *   → WASM search → results (assembled v1 AllocationResults)
 *
 * State changes go through upsert/delete/commit/release, by object key (model/keys.ts); derived data (inventory, selector masks)
 * is rebuilt lazily when the objects it depends on changed, never on the allocation path.
 */

import type { DeviceClass, DeviceTaintRule, DraObject, Node, ResourceClaim, ResourceSlice, AllocationResult } from './model/types.js';
import { featuresFromGates, parseFeatureGates, type FeatureGates, type Features } from './features.js';
import { AllocatedState } from './model/allocated.js';
import { Inventory } from './compile/inventory.js';
import type { SelectorMasks } from './compile/selectors.js';
import { buildNodeView, gatherNodePools, nodeDevice, type NodePools, type NodeView } from './compile/nodeview.js';
import { compileProblem, refreshDynamic, type Problem } from './compile/problem.js';
import { loadSolver, type SolverExports } from './wasm/instance.js';
import { SolverMemory, type Block, type SolveAnswer } from './wasm/run.js';
import { RESULT, isCounterAccounting, type CounterAccounting } from './wasm/layout.js';
import { assembleResults } from './results/assemble.js';
import { AllocationError, type Outcome } from './outcome.js';
import { claimRef } from './model/requests.js';
import { ruleMayHit, taintSlice } from './model/taintrules.js';
import { isShared, poolKeyOf } from './model/pools.js';
import { checkObject, claimHeldAt, isEngineKind, keyOf, kindOfKey, type ClaimKey, type ObjectKey } from './model/keys.js';
import { KeyedObjects } from './model/keyed.js';
import { InputError } from './model/errors.js';
import { checkBudget, DEFAULT_FILTER_TIMEOUT_MS, formatDuration, type Budget } from './budget.js';
import { drain } from './util/steps.js';

export interface EngineOptions {
  objects?: readonly DraObject[];
  /** Gate overrides over the Kubernetes v1.36 defaults (a `K=V,...` string or an object). */
  featureGates?: string | Partial<FeatureGates>;
  /** Stop a search after this many steps (upstream allocateOne invocations) with an error; 0 = no limit (the default). */
  maxSteps?: number;
  /**
   * Time limit of one allocation (all claims of one call on one node) in milliseconds, like
   * kube-scheduler's DRA Filter timeout; default 10000 (upstream's); 0 = no limit.
   */
  filterTimeoutMs?: number;
  /**
   * How the search accounts shared counters. `upstream` (default): as kube-scheduler v1.36 does,
   * counters a device took stay taken when a taint or constraint then rejects it, and a share of
   * a multi-allocatable device keeps its counters when the search backtracks over it — so some
   * claims that fit are answered unsatisfiable, exactly like kube-scheduler. `exact`: every
   * rejection and backtrack gives the counters back.
   */
  counterAccounting?: CounterAccounting;
}

export interface AllocateOptions {
  /** Name of the Node (one of the engine's Node objects) to allocate for. */
  node: string;
  /** This call's step budget instead of the engine's. */
  maxSteps?: number;
  /** This call's time limit (ms) instead of the engine's. */
  filterTimeoutMs?: number;
  /** Stops the search between two slices with an error (`allocate` only: a sync call never sees it fire). */
  signal?: AbortSignal;
  /** This allocation's counter accounting instead of the engine's (EngineOptions.counterAccounting). */
  counterAccounting?: CounterAccounting;
}

/**
 * Steps per slice of the search: the budgets are checked, and `allocate` yields to the event
 * loop, between slices. About 10–20 ms of search; most allocations take one slice.
 */
const SLICE_STEPS = 1 << 14;
/** Layout changes `layoutChangesSince` remembers (older ones read as 'all'). */
const LAYOUT_LOG = 1024;

/** What `Engine.inspect()` exposes (read-only). */
export interface EngineState {
  inventory: Inventory;
  masks: SelectorMasks;
  allocated: AllocatedState;
  classes: ReadonlyMap<string, DeviceClass>;
  nodes: ReadonlyMap<string, Node>;
  features: Features;
}

/** An unknown EngineOptions.counterAccounting value. */
export class CounterAccountingError extends Error {}

export class Engine {
  readonly gates: FeatureGates;
  readonly features: Features;
  readonly counterAccounting: CounterAccounting;
  /** Solver steps (upstream allocateOne invocations) of every search this engine ran: a counter that only grows (metrics). */
  solverSteps = 0;
  private readonly budget: Budget;
  private readonly nodes = new Map<string, Node>();
  private readonly classes = new Map<string, DeviceClass>();
  private readonly slices = new KeyedObjects<ResourceSlice>();
  private readonly taintRules = new KeyedObjects<DeviceTaintRule>();
  /** Claims by `claimHeldAt(keyOf(claim))`. */
  private readonly claims = new KeyedObjects<ResourceClaim>();
  private readonly allocated = new AllocatedState();
  /**
   * What is compiled from the objects, built on first use and then kept current change by
   * change: a slice change patches the inventory, the masks of its devices and the node views
   * of the nodes that can see its pool; a node change drops that node's view.
   */
  private compiled?: Compiled;
  /** Counts changes to the objects (upsert/delete), so that a stepwise compile sees one happened meanwhile. */
  private changes = 0;
  /**
   * Counts changes to anything but claims (nodes, slices, classes, taint rules, a new compile):
   * what is derived from the node views and cached problems (the placement kernel's node
   * tables, schedule/placement) stays valid while this and `SolverMemory.epoch` are unchanged.
   */
  private layoutChanges = 0;
  /**
   * Per layout change still remembered (the last LAYOUT_LOG), oldest first: its version (the
   * value of `layoutChanges` it made) and the nodes whose pools it may have changed — the nodes
   * whose views a slice change dropped, a node upserted or deleted — or 'all' (a class, a taint
   * rule, a slice every node may see, a new compile); the allocated state's version before and
   * after it, and the slots whose allocated flags it wrote. `layoutChangesSince` reads it.
   */
  private readonly layoutLog: { version: number; nodes: string[] | 'all'; allocatedBefore: number; allocatedAfter: number; slots: number[] }[] = [];
  /**
   * While compiled: each held slice the inventory has a copy of (with the taint rules' taints) →
   * that copy. A held slice not in it is in the inventory itself (the common case: no entry kept).
   */
  private readonly effective = new Map<ResourceSlice, ResourceSlice>();
  /**
   * Compiled problems kept in solver memory, by node shape and claim specs: the next Pod with the
   * same claims on a node of the same shape only refreshes the dynamic state. A shape names
   * device contents (ids stable for the engine's life), so slice and node changes leave the
   * cache valid; a DeviceClass change drops it (the claims' specs then compile differently).
   * Keyed by shape, then by the specs' keys: both are strings kept for reuse (their hashes are
   * computed once), where one concatenated key would be a new long string to hash per call.
   */
  private readonly problems = new Map<string, Map<string, { problem: Problem; block: Block }>>();
  private readonly memory: SolverMemory;
  private lastView?: { pools: NodePools; version: number; view: NodeView };
  /** A search of `allocate` is paused between slices: the solver's memory holds its state. */
  private searching = false;
  /** `allocate` calls run one at a time: each waits for this, the end of the one before. */
  private lastAllocate: Promise<unknown> = Promise.resolve();

  private constructor(
    wasm: SolverExports,
    /** The selector evaluator: the CEL runtime, loaded by `create` so that importing dralloc does not load it. */
    private readonly Masks: SelectorMasksClass,
    opts: EngineOptions,
  ) {
    this.counterAccounting = checkAccounting('EngineOptions', opts.counterAccounting ?? 'upstream');
    this.memory = new SolverMemory(wasm);
    this.gates = typeof opts.featureGates === 'string' ? parseFeatureGates(opts.featureGates) : parseFeatureGates(undefined, opts.featureGates);
    this.features = featuresFromGates(this.gates);
    this.budget = checkBudget({ maxSteps: opts.maxSteps ?? 0, filterTimeoutMs: opts.filterTimeoutMs ?? DEFAULT_FILTER_TIMEOUT_MS }, 'EngineOptions');
    const objects = opts.objects ?? [];
    objects.forEach((o, i) => checkObject(o, 'objects', i));
    // The initial list is taken as given, like upstream's plain lists: repeated keys are all kept.
    for (const o of objects) this.put(o, true);
  }

  /** A new engine with its own solver instance; loads the WASM solver and the CEL runtime on first use in the process. */
  static async create(opts: EngineOptions = {}): Promise<Engine> {
    const [wasm, { SelectorMasks }] = await Promise.all([loadSolver(), import('./compile/selectors.js')]);
    return new Engine(wasm, SelectorMasks, opts);
  }

  /**
   * Inserts objects, or replaces the object held under the same key (`keyOf`: kind and name;
   * claims by uid, else namespace and name). A new version of a slice, class, node, taint rule
   * or claim replaces the old one in place; a claim's allocation (`status.allocation`) is the
   * allocated state, so upserting a claim moves its devices in or out of use. Pods,
   * ResourceClaimTemplates and Namespaces are accepted and ignored (the schedule's business).
   * Throws InputError, changing nothing, when any object is not one the engine can take.
   */
  upsert(objects: readonly DraObject[]): void {
    objects.forEach((o, i) => checkObject(o, 'upsert: objects', i));
    for (const o of objects) this.put(o, false);
  }

  /**
   * Deletes the objects held under the keys of `items` (objects, whose key is computed, or keys
   * from `keyOf`): any version of an object deletes the one held. Unknown keys are ignored.
   * Throws InputError, changing nothing, for an item that is neither.
   */
  delete(items: readonly (DraObject | ObjectKey)[]): void {
    const keys = items.map((x, i) => {
      if (typeof x === 'string') {
        if (!isEngineKind(kindOfKey(x)) && !x.includes('/')) throw new InputError(`delete: items[${i}]: ${JSON.stringify(x)} is not an object key`);
        return x;
      }
      checkObject(x, 'delete: items', i);
      return keyOf(x);
    });
    for (const k of keys) this.drop(k);
  }

  /**
   * @internal `upsert` of one claim the scheduler built itself: an allocation committed to a
   * claim it stamped from a template (well-formed by construction, so no input check).
   * `slots`: the inventory slot of each result's device, when known (AllocatedState.apply).
   * `key`: the claim's `claimKey` (it has no uid), the scheduler's string of it.
   */
  putBuilt(claim: ResourceClaim, key: ClaimKey, slots?: readonly number[]): void {
    this.put(claim, false, slots, key);
  }

  /** `upsert`, under its former name. */
  add(objects: readonly DraObject[]): void {
    this.upsert(objects);
  }

  /** `delete`, under its former name. */
  remove(items: readonly (DraObject | ObjectKey)[]): void {
    this.delete(items);
  }

  /** `claimAt`: where the claim `o` is held (`claimHeldAt`), when the caller has that string. */
  private put(o: DraObject, keepDuplicates: boolean, slots?: readonly number[], claimAt?: string): void {
    this.changes++;
    const layout = this.layoutChangeOf(o.kind);
    try {
      switch (o.kind) {
        case 'Node':
          this.touchedNode(o.metadata.name);
          this.nodes.set(o.metadata.name, o);
          this.compiled?.nodePools.delete(o.metadata.name);
          break;
        case 'DeviceClass':
          this.classes.set(o.metadata.name, o);
          this.dropProblems();
          break;
        case 'ResourceSlice': {
          const key = keyOf(o);
          const old = keepDuplicates ? (this.slices.push(key, o), []) : this.slices.set(key, o);
          this.slicesChanged(old, [o]);
          break;
        }
        case 'DeviceTaintRule': {
          const key = keyOf(o);
          const old = keepDuplicates ? (this.taintRules.push(key, o), []) : this.taintRules.set(key, o);
          this.rulesChanged([...old, o]);
          break;
        }
        case 'ResourceClaim': {
          const key = claimAt ?? claimHeldAt(keyOf(o));
          const old = keepDuplicates ? (this.claims.push(key, o), []) : this.claims.set(key, o);
          for (const c of old) if (c.status?.allocation) this.allocated.apply(c, this.features.consumableCapacity, -1);
          if (o.status?.allocation) this.allocated.apply(o, this.features.consumableCapacity, 1, slots);
          break;
        }
        default:
          break; // Pods, templates and namespaces are the schedule's business, not the allocator's.
      }
    } finally {
      if (layout) this.layoutChangeEnds();
    }
  }

  private drop(key: ObjectKey): void {
    this.changes++;
    const kind = kindOfKey(key);
    const layout = this.layoutChangeOf(kind);
    try {
      switch (kind) {
        case 'Node': {
          const name = key.slice('Node/'.length);
          this.touchedNode(name);
          this.nodes.delete(name);
          this.compiled?.nodePools.delete(name);
          break;
        }
        case 'DeviceClass':
          if (this.classes.delete(key.slice('DeviceClass/'.length))) this.dropProblems();
          break;
        case 'ResourceSlice':
          this.slicesChanged(this.slices.delete(key), []);
          break;
        case 'DeviceTaintRule':
          this.rulesChanged(this.taintRules.delete(key));
          break;
        case 'ResourceClaim':
          for (const c of this.claims.delete(claimHeldAt(key))) if (c.status?.allocation) this.allocated.apply(c, this.features.consumableCapacity, -1);
          break;
        default:
          break;
      }
    } finally {
      if (layout) this.layoutChangeEnds();
    }
  }

  /**
   * Held slices `gone` were deleted or replaced by `added` (already in `this.slices`): the
   * inventory, masks and allocated flags follow for their devices only, and the node views of
   * nodes that see the slices' pools are dropped. O(devices of the slices), plus the pools'
   * slices.
   */
  private slicesChanged(gone: readonly ResourceSlice[], added: readonly ResourceSlice[]): void {
    if (!this.compiled) return this.touchedNode('all'); // compiled from everything on first use
    const { inventory } = this.compiled;
    const touched: ResourceSlice[] = [];
    for (const s of gone) {
      const e = this.effective.get(s) ?? s;
      this.effective.delete(s);
      this.allocated.detach(inventory.slotsOfSlice(e));
      this.devicesChanged(inventory.removeSlice(e));
      touched.push(e);
    }
    const rules = this.activeRules();
    for (const s of added) {
      const e = rules.length > 0 ? taintSlice(s, rules) : s;
      if (e !== s) this.effective.set(s, e);
      this.devicesChanged(inventory.addSlice(e, this.slices.seqOf(keyOf(s), s)!));
      touched.push(e);
    }
    this.dropNodeViews(touched);
  }

  /** Taint rules `changed` (old and new versions) came or went: the slices they may hit are tainted again. */
  private rulesChanged(changed: readonly DeviceTaintRule[]): void {
    if (!this.compiled || !this.features.deviceTaints || changed.length === 0) return;
    const hit = this.slices.values().filter((s) => changed.some((r) => ruleMayHit(r, s)));
    this.slicesChanged(hit, hit);
  }

  private activeRules(): readonly DeviceTaintRule[] {
    return this.features.deviceTaints ? this.taintRules.values() : [];
  }

  private devicesChanged(slots: Int32Array): void {
    this.compiled!.masks.patch(slots);
    this.allocated.update(slots);
  }

  /**
   * Drops the node views that may include the slices' pools: those of the nodes the pools'
   * slices name, or all when one of them is for every node (no nodeName, or shared counters).
   */
  private dropNodeViews(slices: readonly ResourceSlice[]): void {
    const { inventory, nodePools } = this.compiled!;
    const nodes = new Set<string>();
    const pools = new Set(slices.map(poolKeyOf));
    for (const list of [slices, ...[...pools].map((p) => inventory.sliceIndex.pool(p))]) {
      for (const s of list) {
        if (isShared(s)) {
          nodePools.clear();
          return this.touchedNode('all');
        }
        nodes.add(s.spec.nodeName!);
      }
    }
    for (const n of nodes) {
      nodePools.delete(n);
      this.touchedNode(n);
    }
  }

  /**
   * Begins the layout change that putting or dropping an object of `kind` is (every kind the
   * engine keeps but ResourceClaim: claims move only the allocated state, and the kinds it ignores
   * — Pods, templates, Namespaces, PodGroups — move nothing); whether it began (then
   * `layoutChangeEnds` must follow). A class or taint rule may change any node's pools; any
   * other kind only the nodes `touchedNode` names while it is put or dropped (a Node, a slice).
   */
  private layoutChangeOf(kind: string): boolean {
    if (kind === 'ResourceClaim' || !isEngineKind(kind)) return false;
    this.layoutChanged(kind === 'DeviceClass' || kind === 'DeviceTaintRule' ? 'all' : []);
    return true;
  }

  /** A layout change begins (`layoutChanges` moves on): it touches `nodes` so far (touchedNode adds to it); the allocated flags it writes are recorded. */
  private layoutChanged(nodes: string[] | 'all'): void {
    this.layoutChanges++;
    const v = this.allocated.version;
    const entry = { version: this.layoutChanges, nodes, allocatedBefore: v, allocatedAfter: v, slots: [] };
    this.layoutLog.push(entry);
    if (this.layoutLog.length > LAYOUT_LOG) this.layoutLog.shift();
    this.allocated.recording = entry.slots;
  }

  /** The layout change that began last is over: its allocated version after, no more recording. */
  private layoutChangeEnds(): void {
    this.allocated.recording = undefined;
    this.layoutLog[this.layoutLog.length - 1].allocatedAfter = this.allocated.version;
  }

  /** The current layout change may have changed `node`'s pools ('all': any node's). */
  private touchedNode(node: string | 'all'): void {
    const last = this.layoutLog[this.layoutLog.length - 1];
    if (!last || last.nodes === 'all') return;
    if (node === 'all') last.nodes = 'all';
    else last.nodes.push(node);
  }

  /** @internal Whether an `allocate` is paused between slices (then the solver's memory is its: no placement kernel run). */
  get searchPaused(): boolean {
    return this.searching;
  }

  /**
   * @internal For the placement kernel: the nodes whose pools (devices, counters, shape) the layout
   * changes after `version` (a `placementContext.layoutVersion`) may have changed, or 'all' when
   * one of them may have changed any node's, or they are no longer all remembered. With the
   * slots whose allocated flags they wrote, and `allocatedFrom` when nothing but these changes
   * moved the allocated state since it was at that version (then only those slots' flags differ
   * from then).
   */
  layoutChangesSince(version: number): { nodes: ReadonlySet<string>; slots: readonly number[]; allocatedFrom?: number } | 'all' {
    const log = this.layoutLog;
    const nodes = new Set<string>();
    const slots: number[] = [];
    if (version === this.layoutChanges) return { nodes, slots, allocatedFrom: this.allocated.version };
    if (log.length === 0 || log[0].version > version + 1) return 'all';
    let allocated: number | undefined = this.allocated.version;
    for (let k = log.length - 1; k >= 0 && log[k].version > version; k--) {
      const e = log[k];
      if (e.nodes === 'all') return 'all';
      for (const n of e.nodes) nodes.add(n);
      for (const s of e.slots) slots.push(s);
      allocated = allocated === e.allocatedAfter ? e.allocatedBefore : undefined;
    }
    return { nodes, slots, allocatedFrom: allocated };
  }

  private dropProblems(): void {
    this.problems.clear();
    this.memory.reset();
  }

  /**
   * For the placement kernel, before it builds resident tables anew: empties the solver's arena
   * (cached problems and the old tables, which are garbage once the layout changed), so that an
   * engine whose slices keep changing does not grow its memory by one set of tables per change.
   * Cached problems are compiled again on use; `SolverMemory.epoch` tells holders of addresses.
   * Does nothing while an `allocate` is paused (its block must stay).
   */
  reclaimSolverMemory(): void {
    if (!this.searching) this.dropProblems();
  }

  /**
   * Records an allocation (e.g. one returned by allocate): the claim, with `allocation` as its
   * `status.allocation`, is upserted, so later allocations see its devices in use. Committing
   * the same claim again replaces the earlier commit (it counts once). Returns the claim held.
   */
  commit(claim: ResourceClaim, allocation: AllocationResult): ResourceClaim {
    const allocated: ResourceClaim = { ...claim, status: { ...claim.status, allocation } };
    this.upsert([allocated]);
    return allocated;
  }

  /**
   * Deletes the claim held under the key of `claim` (or under `claim` when it is a key), freeing
   * its devices: any version of the claim, e.g. an informer's copy, releases the one committed.
   * Releasing a claim the engine does not hold does nothing.
   */
  release(claim: ResourceClaim | ObjectKey): void {
    this.delete([claim]);
  }

  /**
   * Allocates all `claims` together on one node (upstream `Allocator.Allocate`). Yields to the
   * event loop between slices of a long search, so a process keeps serving other work (and
   * signals) meanwhile; calls on one engine run one after the other.
   */
  async allocate(claims: readonly ResourceClaim[], opts: AllocateOptions): Promise<Outcome> {
    const before = this.lastAllocate;
    let done!: () => void;
    this.lastAllocate = new Promise<void>((resolve) => (done = resolve));
    await before;
    try {
      const search = this.search(claims, opts);
      for (let step = search.next(); ; step = search.next()) {
        if (step.done) return step.value;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    } finally {
      done();
    }
  }

  /**
   * `allocate` without the promise, for loops that call it per node and Pod (schedule): runs
   * the search to its end (or its budget) at once. Not while an `allocate` is paused.
   */
  allocateSync(claims: readonly ResourceClaim[], opts: AllocateOptions): Outcome {
    const search = this.search(claims, opts);
    let step = search.next();
    while (!step.done) step = search.next();
    return step.value;
  }

  /** One allocation, as a generator that yields between slices of the search (the callers decide whether to wait). */
  private *search(claims: readonly ResourceClaim[], opts: AllocateOptions): Generator<void, Outcome, void> {
    if (this.searching) throw new Error('Engine.allocateSync was called while an allocate() of the same engine is in progress: await it first');
    const budget = checkBudget({ maxSteps: opts.maxSteps ?? this.budget.maxSteps, filterTimeoutMs: opts.filterTimeoutMs ?? this.budget.filterTimeoutMs }, 'AllocateOptions');
    const deadline = budget.filterTimeoutMs > 0 ? performance.now() + budget.filterTimeoutMs : Infinity;
    const node = this.nodes.get(opts.node);
    if (!node) return { kind: 'error', message: `node ${opts.node} not found: the input has no Node object with that name` };
    const accounting = opts.counterAccounting === undefined ? this.counterAccounting : checkAccounting('AllocateOptions', opts.counterAccounting);
    this.searching = true;
    try {
      const { masks } = this.compile();
      const np = this.nodePools(node);
      const view = this.nodeView(np);
      const specs = specsKey(claims);
      const cached = this.problems.get(np.shape)?.get(specs);
      let problem: Problem;
      let block: Block;
      if (cached) {
        // A cached problem is this call's until it returns (one search at a time): its claims
        // and view become this call's instead of a copy of the whole problem being made.
        problem = cached.problem;
        problem.claims = claims;
        refreshDynamic(problem, view, this.allocated, this.features);
        block = cached.block;
        this.memory.refresh(block, problem);
      } else {
        ({ problem, block } = this.compileProblem(np, view, claims, specs, masks));
      }
      this.memory.start(block, accounting);
      let steps = 0;
      for (;;) {
        const slice = budget.maxSteps > 0 ? Math.min(SLICE_STEPS, budget.maxSteps - steps) : SLICE_STEPS;
        const ran = this.memory.run(block, slice);
        steps += ran.steps;
        this.solverSteps += ran.steps;
        const stats = { steps };
        if (ran.status !== RESULT.PAUSED) {
          const answer = this.memory.answer(block, problem, ran.status, steps);
          switch (answer.status) {
            case RESULT.OK:
              return { kind: 'allocated', results: assembleResults(problem, answer, this.features), stats };
            case RESULT.UNSAT: {
              const invalid = view.pools.filter((p) => p.invalid);
              if (invalid.length > 0) {
                const which = invalid.map((p) => `${p.id} (${p.invalid})`).join(', ');
                return { kind: 'error', message: `invalid resource pools were encountered: ${which}`, stats };
              }
              return { kind: 'unsatisfiable', reason: `cannot allocate all claims on node ${node.metadata.name}`, stats };
            }
            default:
              return { kind: 'error', message: searchError(problem, answer), stats };
          }
        }
        if (budget.maxSteps > 0 && steps >= budget.maxSteps) {
          return { kind: 'error', message: `search stopped after ${budget.maxSteps} steps without an answer (step budget); the claims ask for a combination that is very expensive to search`, stats };
        }
        if (performance.now() >= deadline) {
          return { kind: 'error', message: `timed out trying to allocate devices after ${formatDuration(budget.filterTimeoutMs)} (filter timeout)`, stats };
        }
        if (opts.signal?.aborted) return { kind: 'error', message: 'allocation aborted', stats };
        yield;
      }
    } catch (e) {
      if (e instanceof AllocationError) return { kind: 'error', message: e.message };
      throw e;
    } finally {
      this.searching = false;
    }
  }

  /** Compiles the claims on the node's view and writes the problem to solver memory, kept (and cached) when reusable. */
  private compileProblem(np: NodePools, view: NodeView, claims: readonly ResourceClaim[], specs: string, masks: SelectorMasks): { problem: Problem; block: Block } {
    const problem = compileProblem(view, claims, { features: this.features, classes: this.classes, masks, allocated: this.allocated });
    const block = this.memory.write(problem, problem.cacheable);
    if (problem.cacheable) {
      let byShape = this.problems.get(np.shape);
      if (!byShape) this.problems.set(np.shape, (byShape = new Map()));
      byShape.set(specs, { problem, block });
    }
    return { problem, block };
  }

  /**
   * For the placement kernel (schedule/placement): the cached problem of claims with these
   * specs (`specsKey`) on the node, compiled and cached on first use; undefined
   * when the node is unknown, its pools cannot be gathered, or the problem is not reusable
   * (Problem.cacheable) or fails to compile. Its dynamic regions are stale: the kernel
   * refreshes them from its resident state. Not while an `allocate` is paused.
   */
  residentProblem(nodeName: string, claims: readonly ResourceClaim[], specs: string): { problem: Problem; block: Block; pools: NodePools } | undefined {
    if (this.searching) throw new Error('Engine.residentProblem was called while an allocate() of the same engine is in progress: await it first');
    const node = this.nodes.get(nodeName);
    if (!node) return undefined;
    try {
      const { masks } = this.compile();
      const np = this.nodePools(node);
      const cached = this.problems.get(np.shape)?.get(specs) ?? this.compileProblem(np, this.nodeView(np), claims, specs, masks);
      return cached.problem.cacheable ? { ...cached, pools: np } : undefined;
    } catch (e) {
      if (e instanceof AllocationError) return undefined;
      throw e;
    }
  }

  /** The DeviceClasses held, by name: the engine's own map (read only), current as classes come and go; no compile. */
  get deviceClasses(): ReadonlyMap<string, DeviceClass> {
    return this.classes;
  }

  /**
   * For the placement kernel: the solver's memory, the step slice a search of it may run
   * before the host must check the budgets (a search that needs more goes back to the host),
   * and a version that changes with every change to anything but claims.
   */
  get placementContext(): { memory: SolverMemory; slice: number; layoutVersion: number } {
    const slice = this.budget.maxSteps > 0 ? Math.min(SLICE_STEPS, this.budget.maxSteps) : SLICE_STEPS;
    return { memory: this.memory, slice, layoutVersion: this.layoutChanges };
  }

  /**
   * A read-only look at the compiled state, for diagnostics that must agree with allocate
   * (`dralloc explain` reuses the same inventory, selector masks and allocated state). Callers
   * must not mutate anything they get; it is valid until the next add/remove/commit/release.
   */
  inspect(): EngineState {
    const { inventory, masks } = this.compile();
    return { inventory, masks, allocated: this.allocated, classes: this.classes, nodes: this.nodes, features: this.features };
  }

  /** Claims the engine holds (allocated ones are part of the allocated state). */
  listClaims(): readonly ResourceClaim[] {
    return this.claims.values();
  }

  /**
   * Compiles ahead what allocations would otherwise compile on first use: the inventory, every
   * node's pools and devices, and the DeviceClass selector masks (so that a batch run's solve
   * phase measures solving). Never raises a selector error: values are computed, not reported.
   */
  precompile(): void {
    drain(this.precompileSteps());
  }

  /** `precompile` one node or class at a time (yields after each), for the async `prepare`. */
  *precompileSteps(): Generator<void, void> {
    yield* this.compileSteps();
    yield;
    for (const node of this.nodes.values()) {
      this.nodePools(node);
      yield;
    }
    const { inventory, masks } = this.compile();
    if (inventory.count === 0) return;
    for (const cls of this.classes.values()) {
      for (const s of cls.spec?.selectors ?? []) if (s.cel) yield* masks.prefillSteps(s.cel.expression);
    }
  }

  /** The pools and devices a node can use, in search order (cached until the inventory or the node changes). */
  nodePools(node: Node): NodePools {
    const { inventory, nodePools } = this.compile();
    let np = nodePools.get(node.metadata.name);
    if (!np || np.node !== node) {
      np = gatherNodePools(inventory, node, this.features);
      nodePools.set(node.metadata.name, np);
    }
    return np;
  }

  /**
   * @internal The pools of the Node the engine holds under each name of `nodes` (`nodePools` of
   * it; undefined where the engine holds no such node or gathering its pools fails with an
   * AllocationError). The usual list — the engine's nodes, in its order — is matched by walking
   * the node map and the pools cache in order beside it (no probe of two cluster-sized maps per
   * node); from the first node where either order differs, each is looked up by name.
   */
  heldNodePools(nodes: readonly Node[]): (NodePools | undefined)[] {
    const cached = this.compile().nodePools;
    const held = this.nodes.values();
    const pools = cached.values();
    let inStep = true;
    const out: (NodePools | undefined)[] = new Array(nodes.length);
    for (let i = 0; i < nodes.length; i++) {
      const name = nodes[i].metadata.name;
      let node: Node | undefined;
      if (inStep) {
        const next = held.next();
        inStep = !next.done && next.value.metadata.name === name;
        if (inStep) node = next.value;
      }
      node ??= this.nodes.get(name);
      let np: NodePools | undefined;
      if (inStep && node) {
        // The cache holds at most one entry per name, made from its `node`: this is the one `nodePools(node)` reads.
        const next = pools.next();
        inStep = !next.done && next.value.node === node;
        if (inStep) np = next.value;
      }
      try {
        out[i] = np ?? (node && this.nodePools(node));
      } catch (e) {
        if (!(e instanceof AllocationError)) throw e;
      }
    }
    return out;
  }

  /**
   * The node's view (its pools with the counters left now). The last one built is kept until
   * the allocated state changes: the summary's count and the allocation of the same node, one
   * after the other, share it.
   */
  nodeView(np: NodePools): NodeView {
    const last = this.lastView;
    if (last?.pools === np && last.version === this.allocated.version) return last.view;
    const view = buildNodeView(np, this.allocated);
    this.lastView = { pools: np, version: this.allocated.version, view };
    return view;
  }

  private compile(): Compiled {
    if (!this.compiled) drain(this.compileSteps());
    return this.compiled!;
  }

  /**
   * Builds the compiled state (`compile`) in steps of a few thousand devices, for the async
   * `prepare`. Between two steps other calls may run: when one of them changed the objects or
   * compiled on its own, this build is dropped and `compile` answers from the objects as they are.
   */
  private *compileSteps(): Generator<void, void> {
    if (this.compiled) return;
    const changes = this.changes;
    const held = this.slices.values();
    const rules = this.activeRules();
    const slices = held.map((s) => (rules.length > 0 ? taintSlice(s, rules) : s));
    const inventory = yield* Inventory.build(slices, (_e, i) => this.slices.seqOf(keyOf(held[i]), held[i])!);
    if (this.compiled) return;
    if (this.changes !== changes) {
      this.compile();
      return;
    }
    this.effective.clear();
    held.forEach((s, i) => slices[i] !== s && this.effective.set(s, slices[i]));
    this.allocated.attach(inventory);
    const masks = new this.Masks(inventory, {
      consumableCapacity: this.features.consumableCapacity,
      listTypeAttributes: this.features.listTypeAttributes,
    });
    this.compiled = { inventory, masks, nodePools: new Map() };
    this.layoutChanged('all');
    this.layoutChangeEnds();
  }
}

interface Compiled {
  inventory: Inventory;
  masks: SelectorMasks;
  nodePools: Map<string, NodePools>;
}

type SelectorMasksClass = typeof import('./compile/selectors.js').SelectorMasks;

function checkAccounting(where: string, v: unknown): CounterAccounting {
  if (isCounterAccounting(v)) return v;
  throw new CounterAccountingError(`${where}.counterAccounting: invalid value ${JSON.stringify(v)}: want "upstream" or "exact"`);
}

/**
 * The key of claims' specs together (problem cache, placement kernel shapes): one claim's is its
 * spec's kept text itself (hashed once), several are joined by NUL.
 */
export function specsKey(claims: readonly ResourceClaim[]): string {
  return claims.length === 1 ? specKey(claims[0]) : claims.map(specKey).join('\u0000');
}

/** Claim specs are immutable; their text is computed once per spec object (Pods stamped from one template share it). */
const specKeys = new WeakMap<object, string>();
function specKey(c: ResourceClaim): string {
  const spec = c.spec ?? {};
  let k = specKeys.get(spec);
  if (k === undefined) {
    k = JSON.stringify(spec, (_key, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)); // unknown fields may hold big integers
    specKeys.set(spec, k);
  }
  return k;
}

/** The message for a search that stopped with an error (not found/ not allocatable are not errors). */
function searchError(p: Problem, a: SolveAnswer): string {
  const D = p.view.slots.length;
  const slot = p.plan.slots[a.errSlot];
  const device = () => nodeDevice(p.view, a.errDev);
  const where = slot ? `claim ${claimRef(p.claims[slot.claim])}, request ${slot.subName || slot.parentName}` : '';
  switch (a.status) {
    case RESULT.CEL_ERROR:
      return p.errors.get(a.errSlot * D + a.errDev)!;
    case RESULT.CONSTRAINT_ALL:
      return `${where}: cannot add device ${device().id} because a claim constraint would not be satisfied`;
    case RESULT.UNSUPPORTED_VALUE: {
      const c = p.plan.constraints[a.errCons];
      return `${where}: device ${device().id}: attribute ${c.attribute}: unsupported attribute value`;
    }
    case RESULT.MAXSIZE:
      return 'allocation max size exceeded';
    default:
      return `solver failed with status ${a.status}`;
  }
}
