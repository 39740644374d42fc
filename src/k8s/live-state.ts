/**
 * The scheduler's view of the cluster: an Engine and a Scheduler kept current from informer
 * changes, incrementally — a changed slice, node, class or taint rule replaces its old object in
 * the engine (engine.upsert, by key; engine.delete when it is gone); a claim's allocation moves devices in or out
 * of use. Nothing is rebuilt from scratch except the Scheduler's small node/class index, which is
 * recreated lazily after nodes, classes or taint rules changed; a slice change only marks every
 * node's device summary stale (the Scheduler holds no slices: it reads devices from the engine).
 *
 * Claims: for every claim key the engine holds exactly one object, the *desired* one — the
 * allocation this process committed and is writing (`pending`); else one whose write had an
 * unknown outcome (`uncertain`: the API server may have applied it) until the cache shows a
 * later version than the one that write replaced; else the informer's latest version.
 * `syncClaim` restores that after every change; `agreesWithStore()` checks it.
 */

import type { Engine } from '../engine.js';
import type { DraObject, ResourceClaim } from '../model/types.js';
import { Scheduler, type PodDecision, type Strategy } from '../schedule/scheduler.js';
import { upstreamCycle, type UpstreamCycle } from '../schedule/gang.js';
import type { Pod } from '../model/types.js';
import { laterVersion, type Change } from './informers.js';
import { objectKey, type LiveKindName } from './resources.js';
import { keyOf } from '../model/keys.js';

/** Read access to the informer caches (ClusterWatch, or a plain map in tests). */
export interface ObjectSource {
  get<T extends DraObject = DraObject>(kind: LiveKindName, key: string): T | undefined;
  all<T extends DraObject = DraObject>(kind: LiveKindName): T[];
  map<T extends DraObject = DraObject>(kind: LiveKindName): ReadonlyMap<string, T>;
}

/** What a gang's cycle came to: admitted with the group's Commit, or not (nothing committed). */
export type GroupAttempt =
  | { cycle: UpstreamCycle; admitted: true; placements: Placed[]; commit: Commit }
  | { cycle: UpstreamCycle; admitted: false };

/** A member the cycle placed (not one bound before), and the claims its placement changed. */
export interface Placed {
  pod: Pod;
  node: string;
  commit: Commit;
}

/** The claims one scheduling decision committed into the engine and must now write. */
export interface Commit {
  /** Claims whose allocation this decision made (the engine holds them as given). */
  allocated: ResourceClaim[];
  /** Claims that were already allocated and only gain the Pod in status.reservedFor. */
  reserved: ResourceClaim[];
  /** What the engine held for a claim key when the decision began (for the conflict check). */
  known(key: string): ResourceClaim | undefined;
}

export class LiveState {
  private scheduler?: Scheduler;
  /** The object the engine holds, per claim key. */
  private readonly held = new Map<string, ResourceClaim>();
  /** Allocations committed by this process and not yet confirmed or given up, per claim key. */
  private readonly pending = new Map<string, ResourceClaim>();
  /** Written with an unknown outcome: the claim as written, and the resourceVersion it replaced. */
  private readonly uncertain = new Map<string, { claim: ResourceClaim; replaced: string | undefined }>();
  /** Informer changes held back while a group cycle runs (see scheduleGroup). */
  private deferred?: Change[];
  /**
   * Since the latest decision began: what the engine held for each claim key before its first
   * change (O(changes), instead of a copy of every claim per decision). Replaced by the next one.
   */
  private heldBefore = new Map<string, ResourceClaim | undefined>();

  constructor(
    readonly engine: Engine,
    private readonly source: ObjectSource,
    private readonly strategy: Strategy = 'upstream',
  ) {}

  /** Takes in the objects already in the caches (after the first sync). */
  load(): void {
    for (const kind of ['Node', 'DeviceClass', 'ResourceSlice', 'DeviceTaintRule'] as const) this.engine.upsert(this.source.all(kind));
    for (const c of this.source.all<ResourceClaim>('ResourceClaim')) this.syncClaim(objectKey(c));
    this.scheduler = undefined;
  }

  /** Applies one informer change to the engine and the scheduler (held back during a group cycle). */
  apply(c: Change): void {
    if (this.deferred) {
      this.deferred.push(c);
      return;
    }
    switch (c.kind) {
      case 'ResourceSlice':
        if (c.type === 'delete') this.engine.delete([c.object]);
        else this.engine.upsert([c.object]);
        this.scheduler?.stateChanged(); // devices changed: every node's summary is counted again
        break;
      case 'Node':
      case 'DeviceClass':
      case 'DeviceTaintRule':
        if (c.type === 'delete') this.engine.delete([c.object]);
        else this.engine.upsert([c.object]);
        this.scheduler = undefined; // node/class lists or what the summaries cached changed
        break;
      case 'ResourceClaim':
        this.syncClaim(objectKey(c.object));
        if (c.type === 'delete') this.scheduler = undefined;
        break;
      case 'ResourceClaimTemplate':
      case 'PodGroup': // whose resourceClaims their Pods may share
        if (c.type === 'delete') this.scheduler = undefined;
        else this.scheduler?.remember(c.object);
        break;
      default:
        break; // Pods are the scheduling loop's business
    }
  }

  /** Makes the engine hold the desired object for a claim key (pending commit, else the cache's). */
  syncClaim(key: string): void {
    const desired = this.desired(key);
    if (this.uncertain.has(key) && desired !== this.uncertain.get(key)!.claim) this.uncertain.delete(key);
    const current = this.held.get(key);
    if (current === desired) return;
    if (!this.heldBefore.has(key)) this.heldBefore.set(key, current);
    // A claim deleted and created again under the same name has a new uid, so another engine key.
    if (current && (!desired || keyOf(current) !== keyOf(desired))) this.engine.delete([current]);
    if (desired) {
      this.engine.upsert([desired]);
      this.held.set(key, desired);
      this.scheduler?.remember(desired);
    } else {
      this.held.delete(key);
    }
    if (current?.status?.allocation || desired?.status?.allocation) this.scheduler?.stateChanged();
  }

  private desired(key: string): ResourceClaim | undefined {
    const pending = this.pending.get(key);
    if (pending) return pending;
    const cached = this.source.get<ResourceClaim>('ResourceClaim', key);
    const u = this.uncertain.get(key);
    return u && cached && !laterVersion(cached.metadata.resourceVersion, u.replaced) ? u.claim : cached;
  }

  private current(): Scheduler {
    if (!this.scheduler) {
      const objects: DraObject[] = [
        ...this.source.all('Node'),
        ...this.source.all('DeviceClass'),
        ...this.source.all('ResourceClaimTemplate'),
        ...this.source.all('PodGroup'),
        ...this.held.values(),
      ];
      this.scheduler = new Scheduler(this.engine, objects, { strategy: this.strategy });
    }
    return this.scheduler;
  }

  /**
   * Runs the scheduler for one Pod. On success the allocations are committed into the engine and
   * recorded as pending; the caller writes them and then calls `settle` for every claim key.
   */
  async schedule(pod: Pod, signal?: AbortSignal): Promise<{ decision: PodDecision; commit: Commit }> {
    const known = this.beginDecision();
    // Long searches yield to the event loop: informer changes may be applied meanwhile.
    const decision = await this.current().schedulePodAsync(pod, signal);
    return { decision, commit: this.record(decision, known) };
  }

  /**
   * Runs kube-scheduler's cycle for a gang's members (gang.ts `upstreamCycle`; `skip` answers
   * members that cannot be tried, with why). Admitted (≥ minCount placed): the placements stay
   * committed and recorded as pending — a Commit per placed member, and one for the whole group
   * (`known`: the engine's claims before the cycle); the caller writes them and settles every
   * claim key. Not admitted:
   * every placement is undone — the engine and the scheduler are as before the cycle.
   *
   * Informer changes that arrive while the searches yield are held back until the cycle is
   * over: the journal that undoes the cycle must see only the cycle's own changes.
   */
  async scheduleGroup(members: readonly Pod[], minCount: number, skip: ReadonlyMap<Pod, string>, signal?: AbortSignal): Promise<GroupAttempt> {
    const known = this.beginDecision();
    const s = this.current();
    this.deferred = [];
    const start = s.begin();
    try {
      const steps = upstreamCycle(members, minCount);
      let step = steps.next();
      while (!step.done) {
        const pod = step.value;
        const waiting = skip.get(pod);
        step = steps.next(waiting !== undefined ? { pod, message: waiting, created: [], updated: [] } : await s.schedulePodAsync(pod, signal));
      }
      const cycle = step.value;
      if (cycle.placed < minCount || signal?.aborted) {
        s.undo(start);
        return { cycle, admitted: false };
      }
      const placements = cycle.decisions.flatMap((d, i) => (d.node === undefined || members[i].spec.nodeName ? [] : [{ pod: d.pod, node: d.node, commit: this.record(d, known) }]));
      const commit: Commit = { allocated: placements.flatMap((p) => p.commit.allocated), reserved: placements.flatMap((p) => p.commit.reserved), known };
      return { cycle, admitted: true, placements, commit };
    } catch (e) {
      s.undo(start); // an internal error mid-cycle: the engine must not keep placements nobody records
      throw e;
    } finally {
      s.end();
      const held = this.deferred;
      this.deferred = undefined;
      for (const c of held) this.apply(c);
    }
  }

  /**
   * A decision begins: from now on the engine's claim before its first change is kept per key
   * (`heldBefore`, O(changes)); returns Commit.known, what the engine held when it began.
   */
  private beginDecision(): Commit['known'] {
    const atStart = (this.heldBefore = new Map());
    return (key) => (atStart.has(key) ? atStart.get(key) : this.held.get(key));
  }

  /** Records a decision's new allocations as pending (the engine holds them already); its Commit. */
  private record(decision: PodDecision, known: Commit['known']): Commit {
    const commit: Commit = { allocated: [], reserved: [], known };
    if (decision.node === undefined) return commit;
    for (const u of decision.updated) {
      const key = objectKey(u);
      const before = this.held.get(key);
      if (before?.status?.allocation) {
        commit.reserved.push(u);
        continue;
      }
      // schedulePod committed `u` into the engine: it replaced the unallocated version (same key).
      if (!this.heldBefore.has(key)) this.heldBefore.set(key, before);
      this.held.set(key, u);
      this.pending.set(key, u);
      commit.allocated.push(u);
    }
    return commit;
  }

  /**
   * A pending allocation was written (or given up): the engine follows the cache again — or,
   * when `uncertain` (the write's outcome is unknown), keeps holding the allocation until the
   * cache shows a later version of the claim than `uncertain.replaced`.
   */
  settle(key: string, uncertain?: { replaced: string | undefined }): void {
    const claim = this.pending.get(key);
    if (uncertain && claim) this.uncertain.set(key, { claim, replaced: uncertain.replaced });
    this.pending.delete(key);
    this.syncClaim(key);
    const cached = this.source.get<ResourceClaim>('ResourceClaim', key);
    if (cached) this.scheduler?.remember(cached);
    else this.scheduler = undefined; // the scheduler may remember a claim that never got created
  }

  /** Claim keys with an allocation being written. */
  pendingKeys(): string[] {
    return [...this.pending.keys()];
  }

  /**
   * The invariant, for tests: for every claim key the engine holds exactly the desired object,
   * and its allocated devices are those of the desired claims.
   */
  agreesWithStore(): string | undefined {
    const keys = new Set([...this.held.keys(), ...this.pending.keys(), ...this.uncertain.keys(), ...this.source.all('ResourceClaim').map(objectKey)]);
    for (const key of keys) {
      if (this.held.get(key) !== this.desired(key)) return `claim ${key}: the engine holds another version than the ${this.pending.has(key) ? 'pending' : 'cached'} one`;
    }
    const inEngine = new Set(this.engine.listClaims());
    for (const [key, c] of this.held) if (!inEngine.has(c)) return `claim ${key}: not in the engine`;
    if (inEngine.size !== this.held.size) return `the engine holds ${inEngine.size} claims, expected ${this.held.size}`;
    return undefined;
  }
}
