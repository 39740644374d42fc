/**
 * Runs of Pods through the placement kernel (issue #13): consecutive "simple" Pods — no
 * PodGroup, no spec.nodeName, every claim pending and stamped from a template just now, no
 * extended-resource claim, a plan — are handed to the kernel together, which places them over
 * the resident state (resident.ts) exactly as `Scheduler.decideSteps` would, and stops at the first
 * Pod it cannot decide exactly (no node fits it: the host decides it, for its message; a node
 * only the host can try; a search error or one over its step slice), or pauses after a bounded
 * number of node visits. The host then decodes the Pods placed, in order, each when its turn
 * comes — their results assembled from the kernel's picks on the cached problem of their node,
 * committed with `Scheduler.place` — decides the Pod the kernel stopped at with
 * `Scheduler.decidePrepared`, and starts the next run. The per-Pod API (`Scheduler.schedulePod`,
 * `schedulePodAsync`) hands a simple Pod to the kernel as a run of one (`placeOne`), which may
 * also allocate existing claims named by the Pod. docs/placement.md describes the whole.
 *
 * Kernels (`ScheduleOptions.placement`, else DRALLOC_PLACEMENT): `wasm` (default: the loop in
 * the WASM core), `ts` (the same loop in TypeScript, loop-ts.ts), `host` (no runs: decide per
 * Pod). Both strategies: with pack the kernel walks each shape's nodes by ascending free
 * devices and re-ranks the node it committed on.
 */

import type { Engine } from '../../engine.js';
import { specsKey } from '../../engine.js';
import type { Pod } from '../../model/types.js';
import type { AllocatedState } from '../../model/allocated.js';
import { assembleResults } from '../../results/assemble.js';
import type { SolveAnswer } from '../../wasm/run.js';
import { ACCOUNTING, MAX_RESULTS_PER_CLAIM, REC, REC_WORDS, R, RESULT, RF, RUN_WORDS, STOP, STRATEGY } from '../../wasm/layout.js';
import { numFeasibleNodesToFind } from '../order.js';
import type { Placement, PodAttempt, PodDecision, PodResult, Scheduler, Strategy } from '../scheduler.js';
import type { AllocationResult } from '../../model/types.js';
import { strip } from '../gang.js';
import { ResidentCluster, type ShapeTable } from './resident.js';
import { placeRunTs } from './loop-ts.js';

export type PlacementKernel = 'wasm' | 'ts' | 'host';
export const PLACEMENT_KERNELS: readonly PlacementKernel[] = ['wasm', 'ts', 'host'];

/** The kernel asked for (option, else DRALLOC_PLACEMENT, else wasm); an unknown name is an error. */
export function placementKernel(option: PlacementKernel | undefined, where = 'ScheduleOptions.placement'): PlacementKernel {
  const env = process.env.DRALLOC_PLACEMENT;
  const v = option ?? env ?? 'wasm';
  if (!(PLACEMENT_KERNELS as readonly string[]).includes(v)) {
    throw new PlacementKernelError(`${option === undefined ? 'DRALLOC_PLACEMENT' : where}: invalid value ${JSON.stringify(v)}: want wasm, ts or host`);
  }
  return v as PlacementKernel;
}
export class PlacementKernelError extends Error {}

/** What the kernel did over a schedule: runs, Pods it placed, milliseconds inside its loop (searches included, decoding not). */
export interface PlacementStats {
  kernel: 'wasm' | 'ts';
  runs: number;
  placed: number;
  ms: number;
}

/** `SolveAnswer.selectedSub` of a Pod without firstAvailable requests (shared, never read). */
const NO_SUBS = new Int32Array(0);
/** The stats of a decoded placement (read by nobody: the kernel counts steps per run). */
const NO_STEPS = Object.freeze({ steps: 0 });

/** The Pod index of a run of one (placeOne): no batch Pod's, so a batch's state keyed by index is not touched. */
const ONE = -1;
/** Nodes per Pod a run of one waits (on the host) before it builds the resident tables anew: tablesReady. */
const REBUILD_AMORTISED = 8;
/** Pods per run at most: bounds the output area. */
const RUN_MAX = 1024;
/** Node visits after which a run pauses (a few ms of kernel work): bounds the time between two yields of the async API. */
const RUN_VISITS = 1 << 14;

/** A Pod the kernel may place: its pod shape (claims' specs, node-affecting spec), its shape's table when last looked up. */
class Simple {
  constructor(
    readonly attempt: PodAttempt,
    readonly specs: string,
    readonly nodeSpec: string,
    public shape: ShapeTable,
  ) {}
}

/** A Pod prepared ahead of its turn: one for the kernel (a Simple), or one the host decides (prepared or not; no wrapper per Pod). */
type Ahead = Simple | PodAttempt | PodDecision;

/**
 * A run the kernel placed, decoded one Pod at a time when its turn comes (in Pod order), and the
 * state it was placed against: the allocated state's version after the last Pod decoded, the
 * engine's layout and the solver memory's epoch.
 */
interface Placed {
  run: readonly Simple[];
  indices: readonly number[];
  /** The records, copied out of the solver's memory without their unused room: Pod k's at `at[k]`. */
  records: Int32Array;
  at: Int32Array;
  /** Pods the kernel placed (the first `done` of the run), and the next one to decode. */
  done: number;
  next: number;
  allocated: AllocatedState;
  version: number;
  layout: number;
  epoch: number;
  resident: ResidentCluster;
  /** The shapes whose verdicts and orders are current once the last Pod is decoded (undefined: none). */
  ranked?: Set<ShapeTable>;
}

export class PlacementRuns {
  /** The run being decoded, and the Pod the kernel stopped at (its index, for the host to decide after the run's placed Pods). */
  private placed?: Placed;
  private stopped?: { index: number; attempt: PodAttempt | PodDecision };
  /** Pods prepared ahead, waiting for their turn. */
  private readonly ahead = new Map<number, Ahead>();
  /** What `decode` hands assembleResults, rewritten per Pod (assembleResults keeps nothing of it). */
  private readonly answer: SolveAnswer = { status: RESULT.OK, steps: 0, picks: [], selectedSub: NO_SUBS, errSlot: -1, errDev: -1, errCons: -1 };
  /** The inventory slots of each claim's picks that `decode` hands `Scheduler.place`, rewritten per Pod (the commit keeps none of them). */
  private readonly slots: number[][] = [];
  /** The placement `decode` hands `Scheduler.place`, rewritten per Pod, its results array too (the commit keeps nothing of it but the results). */
  private readonly placement: Placement & { claims: PodAttempt['pending']; results: { results: AllocationResult[] } } = {
    node: 0,
    claims: [],
    results: { kind: 'allocated', results: [], stats: NO_STEPS },
    slots: undefined,
    pinned: undefined,
  };
  private resident?: ResidentCluster;
  /** Shape tables whose summary verdicts and (pack) orders the last run left current, and the allocated state's version and engine layout they are current for. */
  private ranked?: { tables: Set<ShapeTable>; version: number; layout: number };
  /** Pods given to the per-Pod API while the tables would have to be built anew (tablesReady). */
  private staleFor = 0;
  private readonly wanted: number;
  readonly stats: PlacementStats;

  constructor(
    private readonly scheduler: Scheduler,
    private readonly engine: Engine,
    private readonly kernel: 'wasm' | 'ts',
    private readonly strategy: Strategy,
    percentageOfNodesToScore: number | undefined,
  ) {
    this.wanted = numFeasibleNodesToFind(scheduler.nodes.length, percentageOfNodesToScore);
    this.stats = { kernel, runs: 0, placed: 0, ms: 0 };
  }

  /**
   * The result for `pods[i]`, whose turn it is (its decision's PodResult: `strip`). `next(j)` says what the Pod at j > i is to a
   * run starting at i: `run` (its turn comes next), `skip` (already scheduled with its group) or
   * `end` (scheduled with a group, or past the last Pod).
   */
  decide(pods: readonly Pod[], i: number, next: (j: number) => 'run' | 'skip' | 'end'): PodResult {
    for (;;) {
      const p = this.placed;
      if (p && p.indices[p.next] === i) {
        const d = this.decodeNext(p, true);
        if (d) return d; // else the engine changed since the run: its Pods go to a new one
        continue;
      }
      const stopped = this.stopped;
      if (stopped?.index === i) {
        this.stopped = undefined;
        return strip(this.hostDecides(stopped.attempt));
      }
      const first = this.takeAhead(pods, i);
      if (!(first instanceof Simple)) return strip(this.hostDecides(first));
      this.runFrom(pods, i, first, next);
    }
  }

  /** Places the run that Pod i (simple) starts: the Pods after it whose turn comes next, up to the first the host decides. */
  private runFrom(pods: readonly Pod[], i: number, first: Simple, next: (j: number) => 'run' | 'skip' | 'end'): void {
    const run: Simple[] = [first];
    const indices = [i];
    for (let j = i + 1; run.length < RUN_MAX; j++) {
      const what = j < pods.length ? next(j) : 'end';
      if (what === 'end') break;
      if (what === 'skip') continue;
      const a = this.takeAhead(pods, j);
      if (!(a instanceof Simple)) {
        this.ahead.set(j, a);
        break;
      }
      run.push(a);
      indices.push(j);
    }
    this.place(run, indices);
  }

  /** Pod i prepared: from the ones prepared ahead, else now; simple when the kernel may place it. */
  private takeAhead(pods: readonly Pod[], i: number): Ahead {
    const kept = this.ahead.get(i);
    if (kept) {
      this.ahead.delete(i);
      return kept;
    }
    const a = this.scheduler.prepare(pods[i]);
    return ('pending' in a && isSimple(a, true) && this.simpleOf(a)) || a;
  }

  /** A simple Pod (`isSimple`) as one the kernel may place (there are nodes, and its shape has a problem block on some node), else undefined. */
  private simpleOf(a: PodAttempt): Simple | undefined {
    if (this.scheduler.nodes.length === 0) return undefined;
    const specs = specsKey(a.pending);
    const nodeSpec = nodeSpecKey(a.pod);
    const shape = (this.resident ?? this.current()).shapeTable(specs, nodeSpec, a.pod, a.pending, a.maxScore);
    return shape.solvable ? new Simple(a, specs, nodeSpec, shape) : undefined;
  }

  // --- The per-Pod API (Scheduler.schedulePod / schedulePodAsync): a run of one. ---

  /**
   * Places the prepared Pod with a run of one when the kernel may, and returns its decision
   * (decoded and committed exactly as in a batch run); undefined when the host must decide it —
   * not simple, or the kernel stopped at it (no node fits, an SH_HOST node, a search over its
   * step slice) — having changed nothing the host's decision reads (the kernel's partial walk is
   * dropped; its commits are only ever of placed Pods).
   */
  placeOne(a: PodAttempt | PodDecision): PodDecision | undefined {
    // While another decision's search is paused (concurrent schedulePodAsync calls), the host
    // decides: its allocate waits for that search, the kernel could not run beside it.
    if (!('pending' in a) || !isSimple(a, false) || this.engine.searchPaused || !this.tablesReady()) return undefined;
    const simple = this.simpleOf(a);
    if (!simple) return undefined;
    // A batch's run in progress (none while a PodGroup's Pods are placed, but kept regardless).
    const { placed, stopped } = this;
    this.placed = this.stopped = undefined;
    try {
      // Decoded at once: nothing can change the engine between the run and its decoding. Claims
      // it did not stamp are committed with `Engine.upsert` (devices found by name: the same
      // slots as the picks, AllocatedState.apply looks up a repeated name either way).
      return this.place([simple], [ONE]) > 0 ? this.decodeNext(this.placed!, false) : undefined;
    } finally {
      this.placed = placed;
      this.stopped = stopped;
      this.ahead.delete(ONE);
    }
  }

  /**
   * Whether a run of one may use the resident tables: when they are valid or patched; when they
   * would be built anew (O(cluster): a DeviceClass or taint-rule change, a slice with shared
   * counters, no tables yet) only after nodes ÷ REBUILD_AMORTISED Pods since they went stale
   * were decided on the host — the rebuild's cost spread over that many Pods, so a cluster
   * whose every change needs one (such slices republished all the time) stays on the host path.
   */
  private tablesReady(): boolean {
    if (ResidentCluster.usable(this.engine, this.scheduler.nodes) || ++this.staleFor > this.scheduler.nodes.length / REBUILD_AMORTISED) {
      this.staleFor = 0;
      return true;
    }
    return false;
  }

  /** `placeOne`, else the host's decision (synchronous: the resident state follows what the host committed). */
  decideOne(a: PodAttempt | PodDecision): PodDecision {
    return this.placeOne(a) ?? this.hostDecides(a);
  }

  /** Runs the kernel over `run` (Pods `indices`), then records the decisions: decoded placements, and the host's for the Pod it stopped at; returns the number of Pods it placed. */
  private place(run: readonly Simple[], indices: readonly number[]): number {
    const resident = this.current();
    // Between two runs the async API yields to the event loop: the engine may have changed.
    // (Indexed loops over the run here and below: this runs once per run, too seldom to be
    // optimized, and a for-of loop's iterator results would be garbage per Pod.)
    for (let k = 0; k < run.length; k++) {
      const s = run[k];
      s.shape = resident.shapeTable(s.specs, s.nodeSpec, s.attempt.pod, s.attempt.pending, s.attempt.maxScore);
    }
    resident.seed();
    const allocated = this.engine.inspect().allocated;
    // Each shape's summary verdicts forgotten and (pack) its nodes ranked as the host's summaries
    // count them now (the kernel keeps both current as it commits) — unless the last run left
    // them current for the state as it is (it paused, or stopped at a Pod the host placed nowhere).
    const shapes = new Map<ShapeTable, PodAttempt>();
    for (let k = 0; k < run.length; k++) if (!shapes.has(run[k].shape)) shapes.set(run[k].shape, run[k].attempt);
    const kept = this.ranked;
    const carried = kept?.version === allocated.version && kept.layout === this.engine.placementContext.layoutVersion ? kept.tables : undefined;
    for (const [t, a] of shapes) {
      if (carried?.has(t)) continue;
      resident.clearVerdicts(t);
      if (this.strategy === 'pack') resident.rank(t, this.scheduler.packKeys(a.plan!));
    }
    const ctx = this.engine.placementContext;
    // A record holds the chosen subrequests and up to MAX_RESULTS_PER_CLAIM picks per claim.
    const stride = REC_WORDS + Math.max(...run.map((s) => s.attempt.plan!.requests.length + 2 * MAX_RESULTS_PER_CLAIM * s.attempt.pending.length));
    // The run descriptor, Pod list and records: room for RUN_MAX Pods of records of `stride` words.
    const at = resident.runArea(4 * (RUN_WORDS + RUN_MAX * (2 + stride)));
    const buf = ctx.memory.wasm.memory.buffer;
    const words = new Int32Array(buf, at, RUN_WORDS + 2 * RUN_MAX);
    const reg = resident.regions;
    words.fill(0, 0, RUN_WORDS);
    words[R.NNODES] = this.scheduler.nodes.length;
    words[R.START] = this.scheduler.rotation;
    words[R.WANTED] = this.wanted;
    words[R.NPODS] = run.length;
    words[R.SLICE] = ctx.slice;
    words[R.PODS] = at + 4 * RUN_WORDS;
    words[R.SHAPES] = at + 4 * (RUN_WORDS + RUN_MAX);
    words[R.NSHAPES] = shapes.size;
    words[R.OUT] = at + 4 * (RUN_WORDS + 2 * RUN_MAX);
    words[R.REC_STRIDE] = stride;
    words[R.FLAGS] = reg.flags;
    words[R.AVAIL] = reg.avail;
    words[R.NODE_SLOTS] = reg.nodeSlots;
    words[R.SLOTS] = reg.slots;
    words[R.NODE_CNT] = reg.nodeCnt;
    words[R.CNT_MAP] = reg.cntMap;
    words[R.USE_START] = reg.useStart;
    words[R.USE_CNT] = reg.useCnt;
    words[R.USE_AMT] = reg.useAmt;
    words[R.HELD_MASK] = RF.DEDICATED | (this.engine.features.consumableCapacity ? 0 : RF.SHARED);
    words[R.ACCOUNTING] = ACCOUNTING[this.engine.counterAccounting];
    words[R.STRATEGY] = this.strategy === 'pack' ? STRATEGY.PACK : STRATEGY.UPSTREAM;
    words[R.NODE_LOCAL] = reg.nodeLocal;
    words[R.CAP_START] = reg.capStart;
    words[R.CAP_LEFT] = reg.capLeft;
    words[R.VISITS] = RUN_VISITS;
    for (let k = 0; k < run.length; k++) words[RUN_WORDS + k] = run[k].shape.address;
    let k = RUN_WORDS + RUN_MAX;
    for (const t of shapes.keys()) words[k++] = t.address;
    const t0 = performance.now();
    if (this.kernel === 'wasm') ctx.memory.wasm.placeRun(at);
    else placeRunTs(ctx.memory.wasm, at);
    this.stats.ms += performance.now() - t0;
    this.stats.runs++;

    // Copied out: the records must not depend on the solver's memory while they are decoded.
    const after = new Int32Array(ctx.memory.wasm.memory.buffer, at, RUN_WORDS);
    const done = after[R.DONE];
    const stop = after[R.STOP];
    this.engine.solverSteps += after[R.STEPS] >>> 0;
    const records = copyRecords(new Int32Array(ctx.memory.wasm.memory.buffer, at + 4 * (RUN_WORDS + 2 * RUN_MAX), done * stride), done, stride);
    // Decoded when their turn comes (an abort between two Pods leaves only the Pods reported
    // committed); the resident state is ahead of the allocated state until the last is.
    if (done > 0) resident.mirrors = undefined;
    // The shapes' verdicts and orders are current after the run when every commit was re-ranked
    // into each of them: from when its last placed Pod is decoded (now, when it placed none).
    const ranked = after[R.RANKED] === 1 ? new Set(shapes.keys()) : undefined;
    this.ranked = ranked && done === 0 ? { tables: ranked, version: allocated.version, layout: ctx.layoutVersion } : undefined;
    this.placed = done > 0 ? { run, indices, records: records.words, at: records.at, done, next: 0, allocated, version: allocated.version, layout: ctx.layoutVersion, epoch: ctx.memory.epoch, resident, ranked } : undefined;
    const host = stop === STOP.UNPLACED || stop === STOP.HOST;
    if (host) this.stopped = { index: indices[done], attempt: run[done].attempt };
    // Pods of the run after the one it stopped at (or paused before) wait for the next run, prepared.
    for (let k = host ? done + 1 : done; k < run.length; k++) this.ahead.set(indices[k], run[k]);
    return done;
  }

  /**
   * Decodes the next Pod of the run `p`; undefined when the engine changed since the run (the
   * async API yields between Pods): then the Pods not decoded yet (and the one the kernel
   * stopped at) go back to be placed by a new run against the new state.
   */
  private decodeNext(p: Placed, batch: true): PodResult | undefined;
  private decodeNext(p: Placed, batch: false): PodDecision | undefined;
  private decodeNext(p: Placed, batch: boolean): PodResult | undefined {
    const allocated = p.allocated;
    const ctx = this.engine.placementContext;
    if (allocated.version !== p.version || ctx.memory.epoch !== p.epoch || ctx.layoutVersion !== p.layout) {
      for (let k = p.next; k < p.run.length; k++) this.ahead.set(p.indices[k], p.run[k]);
      this.placed = undefined;
      this.stopped = undefined;
      return undefined;
    }
    const k = p.next++;
    const at = p.at[k];
    const d = this.decode(p.run[k], p.records, at, batch);
    if (this.strategy === 'upstream') this.scheduler.rotation = (this.scheduler.rotation + p.records[at + REC.EXAMINED]) % this.scheduler.nodes.length;
    p.version = allocated.version;
    if (p.next === p.done) {
      p.resident.mirrors = p.version;
      if (p.ranked) this.ranked = { tables: p.ranked, version: p.version, layout: p.layout };
      this.placed = undefined;
    }
    return d;
  }

  /** The engine's resident state for the scheduler's nodes, rebuilt when the engine's nodes, slices or classes changed. */
  private current(): ResidentCluster {
    return (this.resident = ResidentCluster.of(this.engine, this.scheduler.nodes));
  }

  /** The host's decision for a Pod (`Scheduler.decidePrepared`); the resident state follows what it committed. */
  private hostDecides(a: PodAttempt | PodDecision): PodDecision {
    const before = this.engine.inspect().allocated.version;
    const d = this.scheduler.decidePrepared(a);
    this.resident?.follow(d.updated, before);
    return d;
  }

  /**
   * The kernel's record of a placed Pod, as the host's placement: results assembled on that
   * node's problem, committed; its PodResult for a `batch` (decide), else its PodDecision.
   */
  private decode(s: Simple, rec: Int32Array, at: number, batch: boolean): PodResult {
    const a = s.attempt;
    const node = rec[at + REC.NODE];
    const nReq = rec[at + REC.NREQ];
    const nPicks = rec[at + REC.NPICKS];
    const problem = s.shape.problems[node]!;
    const view = (problem.view = this.resident!.pools[node]!);
    problem.claims = a.pending;
    // The picks, into the answer's tuples of the Pod before; each claim's device slots in result
    // order (assembleResults keeps pick order per claim): the commit looks none up by name.
    const answer = this.answer;
    const picks = answer.picks;
    while (picks.length < nPicks) picks.push([0, 0]);
    picks.length = nPicks;
    const claimOf = problem.plan.slots;
    // The arrays of the Pod before, refilled: `Scheduler.place` reads them while it commits and
    // keeps none (the engine applies the slots at once). One claim (the usual case): its array
    // set to the final length, no growing.
    const one = a.pending.length === 1;
    const slots = this.slots;
    while (slots.length < a.pending.length) slots.push([]);
    slots.length = a.pending.length;
    if (one) slots[0].length = nPicks;
    else for (let c = 0; c < slots.length; c++) slots[c].length = 0;
    for (let p = 0, w = at + REC_WORDS + nReq; p < nPicks; p++, w += 2) {
      const pick = picks[p];
      pick[0] = rec[w];
      pick[1] = rec[w + 1];
      if (one) slots[0][p] = view.slots[pick[1]];
      else slots[claimOf[pick[0]].claim].push(view.slots[pick[1]]);
    }
    // Subrequest choices are read only for requests with subrequests (none when maxScore is 0).
    answer.selectedSub = a.maxScore > 0 ? rec.slice(at + REC_WORDS, at + REC_WORDS + nReq) : NO_SUBS;
    assembleResults(problem, answer, this.engine.features, this.placement.results.results);
    const counters = this.scheduler.counters;
    counters.nodesExamined += rec[at + REC.EXAMINED];
    counters.allocations += rec[at + REC.SEARCHES];
    counters.rejectedBySummary += rec[at + REC.REJECTED];
    this.stats.placed++;
    const placement = this.placement;
    placement.node = node;
    placement.claims = a.pending;
    placement.slots = slots;
    placement.pinned = view.pinned;
    return batch ? this.scheduler.placeResult(a, placement) : this.scheduler.place(a, placement);
  }
}

/**
 * The first `done` records of `stride` words each, copied without the room they do not use (a
 * record holds REC_WORDS, then NREQ subrequest choices and NPICKS picks of two words; its room is
 * sized for MAX_RESULTS_PER_CLAIM picks per claim, mostly unused: copying all of it moved ~7×
 * the words, into a new buffer per run). `at[k]`: where record k starts in `words`.
 */
function copyRecords(from: Int32Array, done: number, stride: number): { words: Int32Array; at: Int32Array } {
  const at = new Int32Array(done);
  let total = 0;
  for (let k = 0, b = 0; k < done; k++, b += stride) {
    at[k] = total;
    total += REC_WORDS + from[b + REC.NREQ] + 2 * from[b + REC.NPICKS];
  }
  const words = new Int32Array(total);
  for (let k = 0, b = 0; k < done; k++, b += stride) {
    const n = (k + 1 < done ? at[k + 1] : total) - at[k];
    for (let w = 0; w < n; w++) words[at[k] + w] = from[b + w];
  }
  return { words, at };
}

/** What the node checks (node-filter.ts nodeRejects) read of the Pod, as text: Pods with the same text pass the same nodes. */
function nodeSpecKey(pod: Pod): string {
  const spec = pod.spec as { nodeSelector?: unknown; affinity?: { nodeAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: unknown } }; tolerations?: unknown };
  const required = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (spec.nodeSelector === undefined && required === undefined && spec.tolerations === undefined) return '';
  return JSON.stringify([spec.nodeSelector ?? null, required ?? null, spec.tolerations ?? null]);
}

/**
 * Whether the kernel may place the prepared Pod: claims to allocate, none allocated already or
 * shared through a group, no extended resources. In a run (`inRun`: Pods prepared before the Pods
 * ahead of them were placed) only claims it stamped just now — a claim by name might be another
 * Pod's of the same run too; a run of one (placeOne: the live scheduler's Pods, whose claims were
 * created in the cluster) may allocate pending claims by name.
 */
function isSimple(a: PodAttempt, inRun: boolean): boolean {
  if (!a.plan || a.pending.length === 0 || a.bound.length > 0 || a.forGroup.size > 0 || a.groupRef) return false;
  if (inRun) {
    if (a.created.length !== a.pending.length) return false;
    for (let k = 0; k < a.pending.length; k++) if (a.pending[k] !== a.created[k]) return false;
  }
  const containers = (a.pod.spec.containers ?? []) as { resources?: { requests?: unknown; limits?: unknown } }[];
  return !(a.extended && containers.some((c) => c.resources?.requests || c.resources?.limits));
}
