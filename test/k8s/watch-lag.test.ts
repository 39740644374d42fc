/**
 * One scheduler whose watches lag behind its own writes (50 ms to 3 s, and kinds overtaking each
 * other): the informer store must never go back to an older version of an object, or a late
 * event (a claim's ADDED without allocation, a Pod without nodeName) would overwrite what the
 * scheduler itself wrote, free the device in the engine and re-queue the Pod.
 *
 * Expected values by hand: 2 nodes × 4 GPUs = 8 devices; Pods one-0..5 (1 GPU) and two-0..3
 * (2 GPUs) ask for 14. The scheduler takes Pods in arrival order at equal priority, but arrival
 * is what the lagging watch shows, so *which* Pods fit varies; what cannot vary: every device
 * used at most once, every bound Pod's claim allocated on its node and reserved for it, every
 * unbound Pod's claim unallocated, and the devices filled as far as Pod sizes allow (no unbound
 * Pod fits into the GPUs a node has left).
 */

import { afterEach, describe, expect, it } from 'vitest';
import { LiveScheduler } from '../../src/k8s/live-scheduler.js';
import type { FakeApiServer, WatchLag } from './fake-apiserver.js';
import { gpuClass, gpuNode, gpuPod, gpuTemplate, startCluster, until, violations } from './cluster.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const FULL = !!process.env.DRALLOC_FULL;

const bound = (s: FakeApiServer) => s.list('Pod').filter((p) => p.spec.nodeName);
const gpusOf = (name: string) => (name.startsWith('two') ? 2 : 1);

async function run(lag: WatchLag, settleMs: number): Promise<void> {
  const e = await startCluster();
  cleanups.push(() => e.server.close());
  const { server } = e;
  for (let n = 0; n < 2; n++) for (const o of gpuNode(`node-${n}`, 4)) server.create(o);
  server.create(gpuClass);
  server.create(gpuTemplate('one', 1));
  server.create(gpuTemplate('two', 2));
  server.watchLag = lag;
  const s = await LiveScheduler.start(e.cluster, { schedulerName: 'dralloc', manageClaims: true, resyncMs: 300, retryMs: 20 });
  cleanups.push(() => s.stop());
  for (let p = 0; p < 6; p++) server.create(gpuPod(`one-${p}`, 'one', 'dralloc'));
  for (let p = 0; p < 4; p++) server.create(gpuPod(`two-${p}`, 'two', 'dralloc'));
  const full = () => {
    const free = [0, 1].map((n) => 4 - bound(server).filter((p) => p.spec.nodeName === `node-${n}`).reduce((k, p) => k + gpusOf(p.metadata.name), 0));
    return server.list('Pod').every((p) => p.spec.nodeName || gpusOf(p.metadata.name) > Math.max(...free));
  };
  await until('the devices filled', full, settleMs + 15_000);
  // Late events keep arriving for up to the lag: nothing may undo what was done meanwhile.
  const end = Date.now() + settleMs;
  while (Date.now() < end) {
    expect(violations(server)).toEqual([]);
    await new Promise((r) => setTimeout(r, 25));
  }
  expect(full()).toBe(true);
  expect(violations(server)).toEqual([]);
  await until('engine caught up', () => s.consistency() === undefined, 5_000);
}

describe('live scheduler with lagging watches', () => {
  const lags: [string, WatchLag, number][] = [
    ['every watch 50 ms late', { minMs: 50, maxMs: 50 }, 300],
    ['every watch 100 ms late', { minMs: 100, maxMs: 100 }, 400],
    ['claims and pods 50–3,000 ms late, overtaking each other', { minMs: 50, maxMs: 3_000, plurals: ['resourceclaims', 'pods'] }, 3_500],
  ];
  if (FULL) lags.push(['every watch 300–1,000 ms late', { minMs: 300, maxMs: 1_000 }, 1_500], ['every watch 3,000 ms late', { minMs: 3_000, maxMs: 3_000 }, 3_500]);
  for (const [name, lag, settle] of lags) {
    it(name, { timeout: 40_000 }, () => run(lag, settle));
  }
});
