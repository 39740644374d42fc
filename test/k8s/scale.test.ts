/**
 * A small run of the scale scenario (test/k8s/scale.ts; the full size is bench/live-scale.bench.ts):
 * 50 nodes × 8 GPUs, 100 one-GPU Pods, one slice republished every 50 ms meanwhile.
 */

import { describe, expect, it } from 'vitest';
import { scaleRun } from './scale.js';

describe('live scheduler at scale, with slice churn', () => {
  it('binds every Pod, each with its own device, five writes and no list per Pod', { timeout: 60_000 }, async () => {
    const r = await scaleRun({ nodes: 50, pods: 100, republishMs: 50, limitMs: 45_000 });
    expect(r.bound).toBe(100);
    expect(r.violations).toEqual([]);
    expect(r.slicesRepublished).toBeGreaterThan(0);
    // Republished slices replace their devices: 50 × 8 in the inventory, not more.
    expect(r.inventoryDevices).toBe(400);
    expect(r.consistency).toBeUndefined();
    // Per Pod, worked out from --manage-claims: create the claim, record it in the Pod's status,
    // write the claim's status (allocation + reservation), bind, the Scheduled event.
    expect(r.writesByKind).toEqual({ 'POST resourceclaims': 1, 'PATCH pods/status': 1, 'PUT resourceclaims/status': 1, 'POST pods/binding': 1, 'POST events': 1 });
    // Every list after the first sync is a fallback of the concurrent-writer check (a lagging watch).
    expect(r.listsPerPod * r.bound).toBe(r.stats.claimLists);
    expect(r.getsPerPod).toBe(0);
    expect(r.stats.conflicts + r.stats.rollbacks).toBe(0);
  });
});
