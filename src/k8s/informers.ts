/**
 * Informers for the kinds dralloc reads: client-node's list+watch caches, one per kind, feeding
 * one change stream of decoded objects. ClusterWatch keeps its own store of decoded objects (so a
 * change carries the exact object it replaces) and keeps the informers alive:
 *
 * - watch expiry (410 Gone, as an ERROR event or status): client-node relists and reports the
 *   difference (deletes for vanished objects, adds/updates for the rest) — handled upstream;
 * - any other failure (API server down, 5xx, network), also on the first list: client-node
 *   stops the informer and reports an error; ClusterWatch restarts it after a bounded
 *   exponential backoff (one doubling per failure, reset by a successful list), resuming the
 *   watch from the last resourceVersion (or relisting when that is gone).
 *
 * `start()` resolves once every kind has been *listed*: it does not wait for the watch's
 * response headers (a proxy that buffers them would otherwise hold up scheduling).
 *
 * The store never goes back in time (as kube-scheduler's assume cache): an object whose
 * resourceVersion is older than the stored one — a late watch event arriving after this process
 * took in its own newer write through `observe()` — is dropped, and once an object (uid) was
 * deleted, later events for that uid are dropped too. resourceVersions are compared as integers
 * (what kube-apiserver/etcd hand out); one that is not an integer is taken as newer.
 *
 * Invariant: after every delivered change, `get(kind, key)` is the object that change named
 * (undefined after a delete); a key's stored resourceVersion only grows while its uid stays.
 *
 * Progress: per kind, the latest resourceVersion the API server's lists and watch events have
 * brought (what `observe()` takes in does not count). A watch delivers one kind's changes in
 * resourceVersion order (kube-apiserver guarantees it per watch; a relist is taken in as a
 * whole before its resourceVersion counts), so once the progress reached a version, every
 * change of that kind up to it has been delivered: `caughtUp()` waits for that.
 */

import type { DraObject } from '../model/types.js';
import type { Cluster } from './connect.js';
import { apiErrorText } from './connect.js';
import { decodeLive } from './normalize.js';
import { objectKey, type LiveKind, type LiveKindName } from './resources.js';

export type ChangeType = 'add' | 'update' | 'delete';

export interface Change {
  kind: LiveKindName;
  type: ChangeType;
  /** The new object (for a delete: the last state the informer had). */
  object: DraObject;
  /** What the store held before (undefined for an add). */
  old?: DraObject;
}

export interface WatchOptions {
  /** First retry delay after a failure (ms, default 250); doubles up to `maxRetryMs` (default 5000). */
  retryMs?: number;
  maxRetryMs?: number;
  /** Failures that will be retried, and objects that could not be decoded (skipped). */
  onError?: (message: string) => void;
}

type Informer = ReturnType<Cluster['k8s']['makeInformer']>;

interface Entry {
  kind: LiveKind;
  informer: Informer;
  delay: number;
  timer?: NodeJS.Timeout;
  /** Resolves once this kind was listed for the first time. */
  listed: Promise<void>;
  markListed: () => void;
}

/** A `caughtUp()` call waiting for a kind's progress to reach `rv`. */
interface Waiter {
  kind: LiveKindName;
  rv: string;
  done: (reached: boolean) => void;
}

/** Deleted uids remembered to drop late events about them (oldest forgotten first). */
const TOMBSTONES = 100_000;

export class ClusterWatch {
  private readonly stores = new Map<LiveKindName, Map<string, DraObject>>();
  private readonly informers: Entry[] = [];
  private readonly deleted = new Set<string>();
  /** Per kind: the latest resourceVersion delivered by a list or a watch event (see Progress). */
  private readonly progress = new Map<LiveKindName, string>();
  private readonly waiters = new Set<Waiter>();
  private stopped = false;
  /** Restarts after failures, for tests and logs. */
  restarts = 0;
  /** Late events dropped because the store already held a newer version (for tests and logs). */
  stale = 0;

  constructor(
    private readonly cluster: Cluster,
    kinds: readonly LiveKind[],
    private readonly onChange: (c: Change) => void,
    private readonly opts: WatchOptions = {},
  ) {
    for (const kind of kinds) {
      this.stores.set(kind.kind, new Map());
      let markListed = () => {};
      const listed = new Promise<void>((resolve) => (markListed = resolve));
      // client-node takes in the list's items synchronously once this promise resolves; the
      // setImmediate runs after that, so `listed` means "the store holds the list".
      const list = async () => {
        const result = await kind.list(cluster);
        setImmediate(() => {
          entry.delay = this.opts.retryMs ?? 250;
          this.advance(kind.kind, result.metadata?.resourceVersion);
          entry.markListed();
        });
        return result;
      };
      const entry: Entry = { kind, informer: cluster.k8s.makeInformer(cluster.kc, kind.path, list as never), delay: opts.retryMs ?? 250, listed, markListed };
      for (const type of ['add', 'update', 'delete'] as const) {
        entry.informer.on(type, (o) => {
          this.deliver(kind, type, o);
          this.advance(kind.kind, (o as DraObject).metadata?.resourceVersion);
        });
      }
      entry.informer.on('error', (e: unknown) => {
        if (this.stopped) return; // stop() aborts the watch: an AbortError, not a failure
        this.opts.onError?.(`watch ${kind.path}: ${apiErrorText(e)}; retrying in ${entry.delay} ms`);
        this.retryLater(entry);
      });
      this.informers.push(entry);
    }
  }

  /** Starts every informer; resolves once each has listed successfully (failures are retried). */
  async start(): Promise<void> {
    for (const entry of this.informers) this.launch(entry);
    await Promise.all(this.informers.map((e) => e.listed));
  }

  /** Starts one informer without waiting for its watch to connect; failures arrive as 'error'. */
  private launch(entry: Entry): void {
    entry.informer.start().catch((e: unknown) => {
      if (this.stopped) return;
      this.opts.onError?.(`watch ${entry.kind.path}: ${apiErrorText(e)}; retrying in ${entry.delay} ms`);
      this.retryLater(entry);
    });
  }

  /** The one backoff of a failed informer: restart after `delay`, then double it (bounded). */
  private retryLater(entry: Entry): void {
    clearTimeout(entry.timer);
    entry.timer = setTimeout(() => {
      if (this.stopped) return;
      this.restarts++;
      this.launch(entry);
    }, entry.delay);
    entry.delay = Math.min(entry.delay * 2, this.opts.maxRetryMs ?? 5000);
  }

  /** Stops every informer at once (a watch still waiting for its headers is abandoned, not awaited). */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const w of [...this.waiters]) w.done(false);
    for (const e of this.informers) clearTimeout(e.timer);
    await Promise.all(this.informers.map((e) => e.informer.stop()));
  }

  get<T extends DraObject = DraObject>(kind: LiveKindName, key: string): T | undefined {
    return this.stores.get(kind)?.get(key) as T | undefined;
  }

  all<T extends DraObject = DraObject>(kind: LiveKindName): T[] {
    return [...(this.stores.get(kind)?.values() ?? [])] as T[];
  }

  /** The cache of one kind by `namespace/name` (read-only; it changes with every change). */
  map<T extends DraObject = DraObject>(kind: LiveKindName): ReadonlyMap<string, T> {
    return (this.stores.get(kind) ?? new Map()) as ReadonlyMap<string, T>;
  }

  /**
   * Takes in an object this process just wrote or read (the API server's answer), ahead of the
   * informer. Returns what the store holds afterwards: this object, or a newer one already there.
   */
  observe(kind: LiveKindName, raw: unknown): DraObject | undefined {
    const k = this.informers.find((e) => e.kind.kind === kind)?.kind;
    return k ? this.deliver(k, 'update', raw) : undefined;
  }

  /**
   * Lists the given kinds afresh and takes every object in (newer versions only, as always):
   * afterwards the store is at least as recent as the API server was when the lists began.
   */
  async refresh(kinds: readonly LiveKindName[]): Promise<void> {
    for (const entry of this.informers.filter((e) => kinds.includes(e.kind.kind))) {
      const list = await entry.kind.list(this.cluster);
      for (const item of list.items) this.deliver(entry.kind, 'update', item);
      this.advance(entry.kind.kind, list.metadata?.resourceVersion);
    }
  }

  /**
   * Resolves true once every change of `kind` up to resourceVersion `rv` has been delivered
   * (see Progress), false after `timeoutMs` without that, on stop(), or at once when `rv` is not
   * an integer (its order is unknown).
   */
  caughtUp(kind: LiveKindName, rv: string | undefined, timeoutMs: number): Promise<boolean> {
    if (!rv || !/^\d+$/.test(rv) || this.stopped) return Promise.resolve(false);
    if (this.reached(kind, rv)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => w.done(false), timeoutMs);
      const w: Waiter = {
        kind,
        rv,
        done: (reached) => {
          clearTimeout(timer);
          this.waiters.delete(w);
          resolve(reached);
        },
      };
      this.waiters.add(w);
    });
  }

  private reached(kind: LiveKindName, rv: string): boolean {
    const at = this.progress.get(kind);
    return at !== undefined && /^\d+$/.test(at) && !laterVersion(rv, at);
  }

  /** The API server delivered `kind` up to `rv`: wakes the waiters that reached their version. */
  private advance(kind: LiveKindName, rv: string | undefined): void {
    if (!rv || !/^\d+$/.test(rv)) return;
    const at = this.progress.get(kind);
    if (at !== undefined && !laterVersion(rv, at)) return;
    this.progress.set(kind, rv);
    for (const w of [...this.waiters]) if (w.kind === kind && this.reached(kind, w.rv)) w.done(true);
  }

  private deliver(kind: LiveKind, type: ChangeType, raw: unknown): DraObject | undefined {
    let object: DraObject;
    try {
      object = decodeLive(raw, kind);
    } catch (e) {
      this.opts.onError?.(`skipping an object: ${(e as Error).message}`);
      return undefined;
    }
    const store = this.stores.get(kind.kind)!;
    const key = objectKey(object);
    const old = store.get(key);
    const uid = object.metadata?.uid;
    if (type === 'delete') {
      if (!old) return undefined;
      // A late delete of an earlier object of the same name must not remove its successor.
      if (uid && old.metadata?.uid && uid !== old.metadata.uid && !newer(object, old)) {
        this.stale++;
        return old;
      }
      store.delete(key);
      this.remember(uid ?? old.metadata?.uid);
    } else {
      if (uid && this.deleted.has(uid)) {
        this.stale++;
        return old;
      }
      if (old && old.metadata?.uid === uid) {
        if (old.metadata?.resourceVersion !== undefined && old.metadata.resourceVersion === object.metadata?.resourceVersion) return old;
        if (!newer(object, old)) {
          this.stale++;
          return old;
        }
      }
      store.set(key, object);
    }
    this.onChange({ kind: kind.kind, type: old || type === 'delete' ? (type === 'delete' ? 'delete' : 'update') : 'add', object, old });
    return object;
  }

  private remember(uid: string | undefined): void {
    if (!uid) return;
    this.deleted.add(uid);
    if (this.deleted.size > TOMBSTONES) this.deleted.delete(this.deleted.values().next().value!);
  }
}

/** `a` is a later version than `b` (integer resourceVersions; anything else counts as later). */
function newer(a: DraObject, b: DraObject): boolean {
  return laterVersion(a.metadata?.resourceVersion, b.metadata?.resourceVersion);
}

/** resourceVersion `a` is later than `b` (compared as integers; a missing or other one counts as later). */
export function laterVersion(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b || !/^\d+$/.test(a) || !/^\d+$/.test(b)) return true;
  return a.length !== b.length ? a.length > b.length : a > b;
}
