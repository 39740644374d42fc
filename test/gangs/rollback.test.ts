/**
 * "Later Pods see the state as if the gang had not been tried", checked against an independent
 * run: schedule a generated gangs workload, then schedule it again without the Pods of the gangs
 * that were not admitted. With `pack` (no rotating start index, which kube-scheduler does not
 * roll back either) every other Pod must land on the same node with the same devices, and the
 * rejected gangs' claims must hold nothing.
 */
import { describe, it, expect } from 'vitest';
import { generateWorkload } from '../../src/gen/registry.js';
import { Engine } from '../../src/engine.js';
import { schedule, type ScheduleResult } from '../../src/schedule/scheduler.js';
import type { DraObject } from '../../src/model/types.js';
import { DEFAULT_GANG_SEARCH } from '../../src/schedule/gang-search.js';

const SEEDS = process.env.DRALLOC_FULL ? [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] : [1, 2, 3];

function placements(r: ScheduleResult): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of r.pods) out.set(`pod ${p.pod.metadata.name}`, p.node ?? '-');
  for (const c of r.claims) {
    const devices = (c.status?.allocation?.devices?.results ?? []).map((d) => `${d.pool}/${d.device}`).join(',');
    out.set(`claim ${c.metadata.name}`, devices);
  }
  return out;
}

describe('a rejected gang leaves no trace', () => {
  for (const seed of SEEDS) for (const search of [false, true]) {
    const opts = { strategy: 'pack' as const, gangSearch: search ? DEFAULT_GANG_SEARCH : undefined };
    it(`gangs workload, 12 nodes, seed ${seed}, pack${search ? ', --gang-search' : ''}`, { timeout: 60_000 }, async () => {
      const w = generateWorkload('gangs', { scale: 12, seed });
      const base: DraObject[] = [...w.classes, ...w.nodes, ...w.slices, ...(w.claims ?? []), ...w.templates, ...(w.podGroups ?? [])];
      const all = [...base, ...w.pods];
      const first = schedule(await Engine.create({ objects: all }), all, opts);
      const rejected = new Set(first.groups!.filter((g) => !g.admitted).map((g) => g.name));
      expect(rejected.size).toBeGreaterThan(0);
      const kept = [...base, ...w.pods.filter((p) => !rejected.has(p.spec.schedulingGroup!.podGroupName!))];
      const second = schedule(await Engine.create({ objects: kept }), kept, opts);
      const a = placements(first);
      const b = placements(second);
      for (const [key, value] of b) expect(a.get(key), key).toBe(value);
      for (const [key, value] of a) if (!b.has(key)) expect(value, `${key} (of a rejected gang)`).toMatch(/^(-|)$/);
    });
  }
});
