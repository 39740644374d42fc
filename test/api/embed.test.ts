/**
 * examples/embed/scheduler.mjs replayed against examples/embed/events.json (informer batches).
 * Expected bindings, worked out by hand (upstream order from n1, first feasible node; devices
 * in slice order):
 * 1. classes, nodes n1 (2 GPUs) and n2 (1 GPU), templates gpu-1 (1 GPU) and gpu-2 (2 GPUs): no Pod.
 * 2. Pod a (gpu-1) → n1, gpu-0. Pod `other` belongs to another scheduler: ignored.
 * 3. Pod b (gpu-2): n1 has one GPU free, n2 one: unschedulable, stays pending.
 * 4. n2's slice now has 2 GPUs: b → n2 (gpu-0, gpu-1).
 * 5. Pod a and its claim a-gpu are deleted: n1's gpu-0 is free again.
 * 6. Pod c (gpu-2) → n1 (gpu-0, gpu-1).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
// A plain JavaScript example (no type declarations), as a scheduler author would write it.
import { runScheduler } from '../../examples/embed/scheduler.mjs';

const events = JSON.parse(readFileSync(resolve(__dirname, '../../examples/embed/events.json'), 'utf8')) as unknown[];

describe('examples/embed', () => {
  it('binds the recorded Pods as worked out by hand', { timeout: 30_000 }, async () => {
    expect(await runScheduler(events)).toEqual([
      { pod: 'a', node: 'n1', devices: ['n1/gpu-0'] },
      { pod: 'b', node: 'n2', devices: ['n2/gpu-0', 'n2/gpu-1'] },
      { pod: 'c', node: 'n1', devices: ['n1/gpu-0', 'n1/gpu-1'] },
    ]);
  });

  it('without the deletes, c finds no node (the freed GPU is what lets it fit)', { timeout: 30_000 }, async () => {
    const noDeletes = (events as { type: string }[][]).map((batch) => batch.filter((e) => e.type !== 'delete'));
    expect((await runScheduler(noDeletes)).map((b: { pod: string }) => b.pod)).toEqual(['a', 'b']);
  });
});
