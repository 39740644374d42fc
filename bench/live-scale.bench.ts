/**
 * The live scheduler at scale against the local fake API server (test/k8s/fake-apiserver.ts),
 * through client-node, with churn: NODES nodes × 8 GPUs, PODS one-GPU Pods (--manage-claims),
 * and meanwhile one ResourceSlice republished (a new generation, same devices) every
 * REPUBLISH_MS round robin. Reports: time to the first sync, time to bind every Pod, Pods/s,
 * API writes per Pod (by kind), API reads per Pod after the first sync (lists, single GETs),
 * slice updates taken in, and checks that every Pod is bound and no device is in two claims.
 *
 * Run: `npx tsx bench/live-scale.bench.ts` (NODES=5000 PODS=10000 REPUBLISH_MS=100 by default;
 * e.g. NODES=500 PODS=1000 for a quick run). Not part of npm test. Results: bench/README.md.
 */

import { LiveScheduler } from '../src/k8s/live-scheduler.js';
import { deviceOwners, gpuClass, gpuNode, gpuPod, gpuTemplate, startCluster } from '../test/k8s/cluster.js';

const NODES = Number(process.env.NODES ?? 5000);
const PODS = Number(process.env.PODS ?? 10_000);
const REPUBLISH_MS = Number(process.env.REPUBLISH_MS ?? 100);
const LIMIT_MS = Number(process.env.LIMIT_MS ?? 30 * 60_000);

const e = await startCluster();
for (let n = 0; n < NODES; n++) for (const o of gpuNode(`node-${n}`, 8)) e.server.create(o);
e.server.create(gpuClass);
e.server.create(gpuTemplate('one', 1));
for (let p = 0; p < PODS; p++) e.server.create(gpuPod(`p-${p}`, 'one', 'dralloc'));

// Count the scheduler's writes by kind (method + resource + subresource).
const writes = new Map<string, number>();
e.server.beforeWrite((w) => {
  const kind = `${w.method} ${w.plural}${w.sub ? `/${w.sub}` : ''}`;
  writes.set(kind, (writes.get(kind) ?? 0) + 1);
});

const t0 = performance.now();
const s = await LiveScheduler.start(e.cluster, { schedulerName: 'dralloc', manageClaims: true, resyncMs: 5_000 });
const synced = performance.now();
const readsAtSync = { lists: e.server.stats.lists, gets: e.server.stats.gets };

// Churn: republish one slice every REPUBLISH_MS (as a driver does), not counted as scheduler writes.
let republished = 0;
const churn = setInterval(() => {
  const slice = e.server.get('ResourceSlice', `node-${republished % NODES}-gpus`)!;
  slice.spec.pool.generation++;
  e.server.update(slice);
  republished++;
}, REPUBLISH_MS);

// Bindings the server applied (each Pod is bound once: a second binding is a 409, not counted).
const bound = () => e.server.stats.bindings;
let done = 0;
let reported = synced;
while ((done = bound()) < PODS && performance.now() - t0 < LIMIT_MS) {
  await new Promise((r) => setTimeout(r, 100));
  if (performance.now() - reported > 10_000) {
    reported = performance.now();
    console.error(`${((reported - synced) / 1000).toFixed(0)} s: ${bound()} of ${PODS} Pods bound`);
  }
}
const finished = performance.now();
clearInterval(churn);

const doubles = [...deviceOwners(e.server).values()].filter((o) => o.length > 1).length;
const writesBeforeChurn = [...writes].filter(([k]) => !k.startsWith('PUT resourceslices'));
const total = writesBeforeChurn.reduce((n, [, c]) => n + c, 0);
console.log(JSON.stringify({
  nodes: NODES,
  gpus: NODES * 8,
  pods: PODS,
  bound: done,
  devicesInTwoClaims: doubles,
  firstSyncSeconds: +((synced - t0) / 1000).toFixed(1),
  bindAllSeconds: +((finished - synced) / 1000).toFixed(1),
  podsPerSecond: +(done / ((finished - synced) / 1000)).toFixed(1),
  slicesRepublished: republished,
  writesPerPod: +(total / Math.max(1, done)).toFixed(2),
  writesByKind: Object.fromEntries(writesBeforeChurn.map(([k, c]) => [k, +(c / Math.max(1, done)).toFixed(2)])),
  listsPerPod: +((e.server.stats.lists - readsAtSync.lists) / Math.max(1, done)).toFixed(3),
  getsPerPod: +((e.server.stats.gets - readsAtSync.gets) / Math.max(1, done)).toFixed(3),
  stats: s.stats,
}, null, 2));
await s.stop();
await e.server.close();
process.exit(done === PODS && doubles === 0 ? 0 : 1);
