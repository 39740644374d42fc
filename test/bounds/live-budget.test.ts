/**
 * Issue 11 part 2, item 1 in the live scheduler: a hostile Pod (no answer, ~64^7 search steps)
 * does not stop the scheduler — with a filter timeout it is reported unschedulable and the next
 * Pod is bound; without one the search yields between slices, and stopping (SIGTERM) ends it
 * cleanly with exit 0.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { LiveScheduler } from '../../src/k8s/live-scheduler.js';
import { startCluster, until } from '../k8s/cluster.js';
import type { FakeApiServer } from '../k8s/fake-apiserver.js';
import { distinctRaw } from './hostile.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function hostileCluster() {
  const e = await startCluster();
  cleanups.push(() => e.server.close());
  for (const o of distinctRaw()) {
    if (o.kind === 'Pod') {
      const pod = o as { spec: Record<string, unknown>; status?: unknown };
      pod.spec.schedulerName = 'dralloc';
      pod.status = { phase: 'Pending' };
    }
    e.server.create(o);
  }
  return e;
}
const pod = (s: FakeApiServer, name: string) => s.get('Pod', name, 'default')!;
const condition = (s: FakeApiServer, name: string) => pod(s, name).status?.conditions?.find((c: { type: string }) => c.type === 'PodScheduled')?.message as string | undefined;

describe('live scheduler budgets', () => {
  it('a Pod whose search times out on every node is unschedulable; the next Pod is bound', { timeout: 30_000 }, async () => {
    const { server, cluster } = await hostileCluster();
    const s = await LiveScheduler.start(cluster, { schedulerName: 'dralloc', budget: { filterTimeoutMs: 200 } });
    cleanups.push(() => s.stop());
    await until('easy Pod bound', () => pod(server, 'easy').spec.nodeName !== undefined);
    await until('hostile Pod reported', () => condition(server, 'hostile') !== undefined);
    expect(condition(server, 'hostile')).toBe('0/2 nodes are available: 2 timed out trying to allocate devices after 200ms (filter timeout).');
    expect(pod(server, 'hostile').spec.nodeName).toBeUndefined();
  });

  it('without a time limit the search yields: timers run meanwhile, and stop() ends it without a verdict', { timeout: 30_000 }, async () => {
    const { server, cluster } = await hostileCluster();
    const s = await LiveScheduler.start(cluster, { schedulerName: 'dralloc', budget: { filterTimeoutMs: 0 } });
    // The hostile Pod has the higher priority: its search starts first and would run for hours.
    let ticks = 0;
    await until('timers fire during the search', () => ++ticks > 10);
    await s.stop();
    expect(condition(server, 'hostile')).toBeUndefined(); // a cut-short search reports nothing
    expect(s.stats.unschedulable).toBe(0);
  });

  it('dralloc scheduler exits 0 on SIGTERM in the middle of an unbounded search', { timeout: 60_000 }, async () => {
    const { kubeconfig } = await hostileCluster();
    const child = spawn(process.execPath, ['build/js/cli/main.js', 'scheduler', '--scheduler-name', 'dralloc', '--filter-timeout', '0', '--kubeconfig', kubeconfig], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exit = new Promise<number | string | null>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
    await until('scheduler running', () => stderr.includes('running against'), 30_000);
    await new Promise((r) => setTimeout(r, 300)); // well into the hostile Pod's search
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    expect(stderr).toContain('stopped: ');
  });
});
