/**
 * bench/output-floor.ts builds what a schedule returns without scheduling; section 1 of the
 * schedule bench subtracts its time from the solve's. That is only a floor of the same work when
 * it builds the same output: for generated workloads whose Pods' claims are all stamped from
 * templates, its Pods and claims must serialize exactly as the real result's do.
 */
import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine.js';
import { schedule } from '../../src/schedule/scheduler.js';
import { generateWorkload } from '../../src/gen/registry.js';
import { buildOutput, outputPlan } from '../../bench/output-floor.js';

describe('the output floor of the schedule bench', () => {
  for (const [workload, scale] of [
    ['gpu-5k', 40],
    ['mig-1k', 8],
  ] as const) {
    it(`builds ${workload}'s output as the solve returns it`, { timeout: 20_000 }, async () => {
      const w = generateWorkload(workload, { scale, seed: 3 });
      const objects = [...w.classes, ...w.nodes, ...w.slices, ...w.templates, ...w.pods];
      const result = schedule(await Engine.create({ objects }), objects);
      expect(result.pods.some((p) => p.node !== undefined)).toBe(true);
      const built = buildOutput(outputPlan(w, result));
      expect(JSON.stringify(built.pods)).toBe(JSON.stringify(result.pods.map((p) => ({ pod: p.pod, node: p.node }))));
      expect(JSON.stringify(built.claims)).toBe(JSON.stringify(result.claims));
    });
  }

  it('refuses a schedule whose results it does not build (shares of rdma-bw)', { timeout: 20_000 }, async () => {
    const w = generateWorkload('rdma-bw', { scale: 4, seed: 3 });
    const objects = [...w.classes, ...w.nodes, ...w.slices, ...w.templates, ...w.pods];
    const result = schedule(await Engine.create({ objects }), objects);
    expect(() => outputPlan(w, result)).toThrow(/has more than request, driver, pool and device/);
  });
});
