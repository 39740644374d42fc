/**
 * The live scheduler at scale against the local fake API server, through client-node and HTTP:
 * `nodes` nodes × 8 GPUs, `pods` one-GPU Pods (--manage-claims), and meanwhile one ResourceSlice
 * republished (a new pool generation, the same devices) every `republishMs`, round robin, as a
 * driver does. Shared by bench/live-scale.bench.ts (the issue's full size) and
 * test/k8s/scale.test.ts (a small one in npm test).
 */

import { LiveScheduler } from '../../src/k8s/live-scheduler.js';
import { violations, gpuClass, gpuNode, gpuPod, gpuTemplate, startCluster } from './cluster.js';

export interface ScaleOptions {
  nodes: number;
  pods: number;
  republishMs: number;
  /** Stop waiting for the bindings after this long (ms). */
  limitMs: number;
  /** Called about every 10 s while binding (progress of a long run). */
  progress?: (line: string) => void;
}

export interface ScaleReport {
  nodes: number;
  gpus: number;
  pods: number;
  bound: number;
  /** What must never be (violations(): a device in two claims, a bound Pod without its claim, ...). */
  violations: string[];
  /** Devices in the engine's inventory at the end (republished slices replace, never add). */
  inventoryDevices: number;
  /** The engine/cache invariant (LiveState.agreesWithStore), undefined when it holds. */
  consistency: string | undefined;
  firstSyncSeconds: number;
  bindAllSeconds: number;
  podsPerSecond: number;
  slicesRepublished: number;
  /** The scheduler's API writes per bound Pod, all kinds, and by `METHOD plural[/sub]`. */
  writesPerPod: number;
  writesByKind: Record<string, number>;
  /** API reads per bound Pod after the first sync: collection lists and single-object GETs. */
  listsPerPod: number;
  getsPerPod: number;
  stats: LiveScheduler['stats'];
}

export async function scaleRun(o: ScaleOptions): Promise<ScaleReport> {
  const e = await startCluster();
  try {
    for (let n = 0; n < o.nodes; n++) for (const obj of gpuNode(`node-${n}`, 8)) e.server.create(obj);
    e.server.create(gpuClass);
    e.server.create(gpuTemplate('one', 1));
    for (let p = 0; p < o.pods; p++) e.server.create(gpuPod(`p-${p}`, 'one', 'dralloc'));

    // The scheduler's writes by kind (the churn below writes through the store, not over HTTP).
    const writes = new Map<string, number>();
    e.server.beforeWrite((w) => {
      const kind = `${w.method} ${w.plural}${w.sub ? `/${w.sub}` : ''}`;
      writes.set(kind, (writes.get(kind) ?? 0) + 1);
    });

    const t0 = performance.now();
    const s = await LiveScheduler.start(e.cluster, { schedulerName: 'dralloc', manageClaims: true, resyncMs: 5_000 });
    try {
      const synced = performance.now();
      const readsAtSync = { lists: e.server.stats.lists, gets: e.server.stats.gets };
      let republished = 0;
      const churn = setInterval(() => {
        const slice = e.server.get('ResourceSlice', `node-${republished % o.nodes}-gpus`)!;
        slice.spec.pool.generation++;
        e.server.update(slice);
        republished++;
      }, o.republishMs);

      // Bindings the server applied (a Pod is bound once: a second binding is a 409, not counted).
      let reported = synced;
      while (e.server.stats.bindings < o.pods && performance.now() - synced < o.limitMs) {
        await new Promise((r) => setTimeout(r, 20));
        if (o.progress && performance.now() - reported > 10_000) {
          reported = performance.now();
          o.progress(`${((reported - synced) / 1000).toFixed(0)} s: ${e.server.stats.bindings} of ${o.pods} Pods bound`);
        }
      }
      const finished = performance.now();
      clearInterval(churn);
      // The Scheduled event is posted after the binding, without holding up the next Pod: let the last ones land.
      const scheduledEvents = () => e.server.events.filter((ev) => ev.reason === 'Scheduled').length;
      for (const end = Date.now() + 10_000; scheduledEvents() < e.server.stats.bindings && Date.now() < end; ) await new Promise((r) => setTimeout(r, 20));

      const bound = e.server.stats.bindings;
      const perPod = (n: number, digits: number) => +(n / Math.max(1, bound)).toFixed(digits);
      const total = [...writes.values()].reduce((n, c) => n + c, 0);
      return {
        nodes: o.nodes,
        gpus: o.nodes * 8,
        pods: o.pods,
        bound,
        violations: violations(e.server),
        inventoryDevices: s.inventoryDevices(),
        consistency: s.consistency(),
        firstSyncSeconds: +((synced - t0) / 1000).toFixed(1),
        bindAllSeconds: +((finished - synced) / 1000).toFixed(1),
        podsPerSecond: +(bound / ((finished - synced) / 1000)).toFixed(1),
        slicesRepublished: republished,
        writesPerPod: perPod(total, 2),
        writesByKind: Object.fromEntries([...writes].map(([k, c]) => [k, perPod(c, 2)])),
        listsPerPod: perPod(e.server.stats.lists - readsAtSync.lists, 3),
        getsPerPod: perPod(e.server.stats.gets - readsAtSync.gets, 3),
        stats: { ...s.stats },
      };
    } finally {
      await s.stop();
    }
  } finally {
    await e.server.close();
  }
}
