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
  /** Solver steps (upstream allocateOne invocations) of every search run for this state's Pods. */
  solverSteps = 0;
  private scheduler?: Scheduler;
  /** The object the engine holds, per claim key. */
  private readonly held = new Map<string, ResourceClaim>();
  /** Allocations committed by this process and not yet confirmed or given up, per claim key. */
  private readonly pending = new Map<string, ResourceClaim>();
  /** Written with an unknown outcome: the claim as written, and the resourceVersion it replaced. */
  private readonly uncertain = new Map<string, { claim: ResourceClaim; replaced: string | undefined }>();
  /**
   * Since the latest decision began: what the engine held for each claim key before its first
   * change (O(changes), instead of a copy of every claim per decision). Replaced by the next one.
   */
  private heldBefore = new Map<string, ResourceClaim | undefined>();

  constructor(
    readonly engine: Engine,
    private readonly source: ObjectSource,
    private readonly strategy: Strategy = 'upstream',
  ) {
    // The Scheduler searches each node through engine.allocate; the engine belongs to this state
    // alone, so its allocate is wrapped here to sum the steps each search reports.
    const allocate = engine.allocate.bind(engine);
    engine.allocate = async (claims, opts) => {
      const outcome = await allocate(claims, opts);
      this.solverSteps += outcome.stats?.steps ?? 0;
      return outcome;
    };
  }

  /** Takes in the objects already in the caches (after the first sync). */
  load(): void {
    for (const kind of ['Node', 'DeviceClass', 'ResourceSlice', 'DeviceTaintRule'] as const) this.engine.upsert(this.source.all(kind));
    for (const c of this.source.all<ResourceClaim>('ResourceClaim')) this.syncClaim(objectKey(c));
    this.scheduler = undefined;
  }

  /** Applies one informer change to the engine and the scheduler. */
  apply(c: Change): void {
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
    const atStart = (this.heldBefore = new Map());
    const commit: Commit = { allocated: [], reserved: [], known: (key) => (atStart.has(key) ? atStart.get(key) : this.held.get(key)) };
    // Long searches yield to the event loop: informer changes may be applied meanwhile.
    const decision = await this.current().schedulePodAsync(pod, signal);
    if (decision.node === undefined) return { decision, commit };
    for (const u of decision.updated) {
      const key = objectKey(u);
      const before = this.held.get(key);
      if (before?.status?.allocation) {
        commit.reserved.push(u);
        continue;
      }
      // schedulePod committed `u` into the engine: it replaced the unallocated version (same key).
      if (!atStart.has(key)) atStart.set(key, before);
      this.held.set(key, u);
      this.pending.set(key, u);
      commit.allocated.push(u);
    }
    return { decision, commit };
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
