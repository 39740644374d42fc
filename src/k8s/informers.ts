/**
 * Informers for the kinds dralloc reads: client-node's list+watch caches, one per kind, feeding
 * one change stream of decoded objects. ClusterWatch keeps its own store of decoded objects (so a
 * change carries the exact object it replaces) and keeps the informers alive:
 *
 * - watch expiry (410 Gone, as an ERROR event or status): client-node relists and reports the
 *   difference (deletes for vanished objects, adds/updates for the rest) — handled upstream;
 * - any other failure (API server down, 5xx, network): client-node stops the informer and
 *   reports an error; ClusterWatch restarts it after a bounded exponential backoff, resuming the
 *   watch from the last resourceVersion (or relisting when that is gone).
 *
 * Invariant: after every delivered change, `get(kind, key)` is the object that change named
 * (undefined after a delete), and changes for one key arrive in the order the informer saw them.
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

export class ClusterWatch {
  private readonly stores = new Map<LiveKindName, Map<string, DraObject>>();
  private readonly informers: { kind: LiveKind; informer: Informer; failed: boolean; delay: number; timer?: NodeJS.Timeout }[] = [];
  private stopped = false;
  /** Restarts after failures, for tests and logs. */
  restarts = 0;

  constructor(
    private readonly cluster: Cluster,
    kinds: readonly LiveKind[],
    private readonly onChange: (c: Change) => void,
    private readonly opts: WatchOptions = {},
  ) {
    for (const kind of kinds) {
      this.stores.set(kind.kind, new Map());
      const informer = cluster.k8s.makeInformer(cluster.kc, kind.path, () => kind.list(cluster) as never);
      const entry = { kind, informer, failed: false, delay: opts.retryMs ?? 250 };
      informer.on('add', (o) => this.deliver(kind, 'add', o));
      informer.on('update', (o) => this.deliver(kind, 'update', o));
      informer.on('delete', (o) => this.deliver(kind, 'delete', o));
      informer.on('error', (e: unknown) => {
        if (this.stopped) return; // stop() aborts the watch: an AbortError, not a failure
        entry.failed = true;
        this.opts.onError?.(`watch ${kind.path}: ${apiErrorText(e)}; retrying in ${entry.delay} ms`);
        this.retryLater(entry);
      });
      this.informers.push(entry);
    }
  }

  /** Starts every informer; resolves once each has listed successfully (retrying failures). */
  async start(): Promise<void> {
    await Promise.all(this.informers.map(async (entry) => {
      for (;;) {
        entry.failed = false;
        await entry.informer.start();
        if (!entry.failed || this.stopped) return;
        clearTimeout(entry.timer); // the loop retries the first sync itself
        await new Promise((r) => setTimeout(r, entry.delay));
        entry.delay = Math.min(entry.delay * 2, this.opts.maxRetryMs ?? 5000);
      }
    }));
  }

  private retryLater(entry: (typeof this.informers)[number]): void {
    clearTimeout(entry.timer);
    entry.timer = setTimeout(async () => {
      if (this.stopped) return;
      this.restarts++;
      entry.failed = false;
      await entry.informer.start();
      if (!entry.failed) entry.delay = this.opts.retryMs ?? 250;
    }, entry.delay);
    entry.delay = Math.min(entry.delay * 2, this.opts.maxRetryMs ?? 5000);
  }

  async stop(): Promise<void> {
    this.stopped = true;
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
   * Takes in an object this process just wrote (the API server's answer), ahead of the informer:
   * the same change the watch will deliver later (which then changes nothing of substance).
   */
  observe(kind: LiveKindName, raw: unknown): DraObject | undefined {
    const k = this.informers.find((e) => e.kind.kind === kind)?.kind;
    return k ? this.deliver(k, 'update', raw) : undefined;
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
    if (type === 'delete') {
      if (!old) return undefined;
      store.delete(key);
    } else {
      if (old?.metadata?.resourceVersion !== undefined && old.metadata.resourceVersion === object.metadata?.resourceVersion) return old;
      store.set(key, object);
    }
    this.onChange({ kind: kind.kind, type: old || type === 'delete' ? (type === 'delete' ? 'delete' : 'update') : 'add', object, old });
    return object;
  }
}
