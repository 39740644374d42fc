/**
 * --metrics-bind-address: /metrics in Prometheus text format with kube-scheduler's names, and
 * /healthz, /livez, /readyz. By hand: one node with one GPU, Pods a and b of one GPU each, one
 * replica leading the Lease kube-system/dralloc: exactly one Pod scheduled (one claim allocated),
 * the other unschedulable and parked, one device in the inventory, leader status 1.
 */

import { afterEach, describe, expect, it } from 'vitest';
import { LiveScheduler } from '../../src/k8s/live-scheduler.js';
import { parseBindAddress, startMetrics } from '../../src/k8s/metrics.js';
import { LEADER_DEFAULTS } from '../../src/k8s/leader.js';
import { gpuClass, gpuNode, gpuPod, gpuTemplate, startCluster, until } from './cluster.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function get(base: string, path: string): Promise<{ status: number; text: string }> {
  const r = await fetch(`http://${base}${path}`);
  return { status: r.status, text: await r.text() };
}

/** The value of one sample line (`name{labels} value`), or undefined. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('metrics and health endpoints', () => {
  it('parses bind addresses as kube-scheduler\'s flag', () => {
    expect(parseBindAddress(':10259')).toEqual({ host: '0.0.0.0', port: 10259 });
    expect(parseBindAddress('127.0.0.1:0')).toEqual({ host: '127.0.0.1', port: 0 });
    expect(parseBindAddress('[::1]:8080')).toEqual({ host: '::1', port: 8080 });
    expect(parseBindAddress('10259')).toBeUndefined();
    expect(parseBindAddress('h:70000')).toBeUndefined();
  });

  it('serves kube-scheduler metrics and health while scheduling', { timeout: 30_000 }, async () => {
    const e = await startCluster();
    cleanups.push(() => e.server.close());
    for (const o of gpuNode('node-0', 1)) e.server.create(o);
    e.server.create(gpuClass);
    e.server.create(gpuTemplate('one', 1));
    let s: LiveScheduler | undefined;
    const m = await startMetrics({ host: '127.0.0.1', port: 0 }, 'dralloc', () => s);
    cleanups.push(() => m.close());
    expect(await get(m.address, '/healthz')).toEqual({ status: 200, text: 'ok' });
    expect(await get(m.address, '/readyz')).toEqual({ status: 503, text: 'starting: informers not synced\n' });
    const lease = { name: 'dralloc', namespace: 'kube-system', ...LEADER_DEFAULTS };
    s = await LiveScheduler.start(e.cluster, { schedulerName: 'dralloc', manageClaims: true, leaderElection: lease, onAttempt: m.record });
    cleanups.push(() => s!.stop());
    e.server.create(gpuPod('a', 'one', 'dralloc'));
    e.server.create(gpuPod('b', 'one', 'dralloc'));
    // The FailedScheduling event is the unschedulable attempt's last step.
    await until('one bound, one reported unschedulable', () => e.server.list('Pod').filter((p) => p.spec.nodeName).length === 1 && e.server.events.some((ev) => ev.reason === 'FailedScheduling'), 15_000);
    expect(await get(m.address, '/readyz')).toEqual({ status: 200, text: 'ok' });
    expect(await get(m.address, '/livez')).toEqual({ status: 200, text: 'ok' });
    const { status, text } = await get(m.address, '/metrics');
    expect(status).toBe(200);
    expect(sample(text, 'scheduler_schedule_attempts_total{profile="dralloc",result="scheduled"}')).toBe(1);
    expect(sample(text, 'scheduler_schedule_attempts_total{profile="dralloc",result="unschedulable"}')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'scheduler_schedule_attempts_total{profile="dralloc",result="error"}')).toBeUndefined();
    expect(sample(text, 'scheduler_scheduling_attempt_duration_seconds_count{profile="dralloc",result="scheduled"}')).toBe(1);
    expect(sample(text, 'scheduler_pending_pods{queue="unschedulable"}')).toBe(1);
    expect(sample(text, 'scheduler_pending_pods{queue="active"}')).toBe(0);
    expect(sample(text, 'leader_election_master_status{name="kube-system/dralloc"}')).toBe(1);
    expect(sample(text, 'dralloc_claims_allocated_total')).toBe(1);
    expect(sample(text, 'dralloc_inventory_devices')).toBe(1);
    expect(text).toContain('# TYPE scheduler_scheduling_attempt_duration_seconds histogram');
    expect(text).toContain('process_cpu_user_seconds_total');
  });

  it('counts solver steps: one Pod, one GPU wanted on a node with two', { timeout: 30_000 }, async () => {
    const e = await startCluster();
    cleanups.push(() => e.server.close());
    for (const o of gpuNode('node-0', 2)) e.server.create(o);
    e.server.create(gpuClass);
    e.server.create(gpuTemplate('one', 1));
    let s: LiveScheduler | undefined;
    const m = await startMetrics({ host: '127.0.0.1', port: 0 }, 'dralloc', () => s);
    cleanups.push(() => m.close());
    s = await LiveScheduler.start(e.cluster, { schedulerName: 'dralloc', manageClaims: true, onAttempt: m.record });
    cleanups.push(() => s!.stop());
    expect(sample((await get(m.address, '/metrics')).text, 'dralloc_solver_steps_total')).toBe(0);
    e.server.create(gpuPod('a', 'one', 'dralloc'));
    await until('a bound', () => !!e.server.get('Pod', 'a', 'default')?.spec.nodeName, 15_000);
    // One search on node-0, upstream's allocateOne calls by hand: device 0 of the request (gpu-0
    // fits), device 1 = the count (request done), request 1 = none (claim done), claim 1 = none (done).
    const text = (await get(m.address, '/metrics')).text;
    expect(sample(text, 'dralloc_solver_steps_total')).toBe(4);
    expect(sample(text, 'dralloc_claim_lists_total')).toBe(0);
  });
});
