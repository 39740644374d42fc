/**
 * Gangs (docs/gangs.md) on the seeded `gangs` workload: the same jobs scheduled three ways —
 * 1. Pod by Pod: the Pods without their PodGroups (kube-scheduler without gang scheduling);
 * 2. upstream gangs: kube-scheduler v1.36's PodGroup cycle (all or nothing per job);
 * 3. --gang-search: upstream gangs, and a search for each job the cycle rejects.
 * Per mode: jobs fully placed (every Pod), jobs admitted (≥ minCount Pods), GPUs held by jobs
 * below their minCount (they hold devices and cannot run: 0 with gangs), Pods placed, and
 * Pods/s of the solve (tinybench mean; a fresh engine per iteration, outside the timing).
 * Run: `npm run bench:gangs` (BENCH_GANG_SCALES=200,1000 by default). Results: bench/README.md.
 */

import { Bench } from 'tinybench';
import { Engine } from '../src/engine.js';
import { schedule, type ScheduleOptions, type ScheduleResult } from '../src/schedule/scheduler.js';
import { generateWorkload } from '../src/gen/registry.js';
import { DEFAULT_GANG_SEARCH } from '../src/schedule/gang-search.js';
import type { DraObject, Pod } from '../src/model/types.js';
import type { Workload } from '../src/gen/builders.js';

const SCALES = (process.env.BENCH_GANG_SCALES ?? '200,1000').split(',').map(Number);

const objectsOf = (w: Workload, pods: Pod[]): DraObject[] => [...w.classes, ...w.nodes, ...w.slices, ...(w.claims ?? []), ...w.templates, ...(w.podGroups ?? []), ...pods];

/** Jobs fully placed and admitted, and GPUs held by jobs below minCount (jobs from the original Pods). */
function jobStats(w: Workload, r: ScheduleResult) {
  const job = new Map(w.pods.map((p) => [p.metadata.name, p.spec.schedulingGroup!.podGroupName!]));
  const size = new Map<string, number>();
  for (const p of w.pods) size.set(job.get(p.metadata.name)!, (size.get(job.get(p.metadata.name)!) ?? 0) + 1);
  const bound = new Map<string, number>();
  for (const p of r.pods) if (p.node) bound.set(job.get(p.pod.metadata.name)!, (bound.get(job.get(p.pod.metadata.name)!) ?? 0) + 1);
  const minCount = new Map(w.podGroups!.map((g) => [g.metadata.name, g.spec.schedulingPolicy.gang!.minCount]));
  const short = new Set([...minCount].filter(([g, m]) => (bound.get(g) ?? 0) < m).map(([g]) => g));
  const stranded = r.claims
    .filter((c) => c.status?.allocation && c.status.reservedFor?.[0] && short.has(job.get(c.status.reservedFor[0].name) ?? ''))
    .reduce((n, c) => n + (c.status!.allocation!.devices?.results?.length ?? 0), 0);
  return {
    jobs: size.size,
    full: [...size].filter(([g, n]) => bound.get(g) === n).length,
    admitted: minCount.size - short.size,
    stranded,
    placed: r.pods.filter((p) => p.node).length,
  };
}

const rows: Record<string, string | number>[] = [];
for (const scale of SCALES) {
  const w = generateWorkload('gangs', { scale, seed: 1 });
  const loose = w.pods.map((p) => ({ ...p, spec: { ...p.spec, schedulingGroup: undefined } }));
  const modes: [string, DraObject[], ScheduleOptions][] = [
    ['Pod by Pod (no gangs)', objectsOf(w, loose), {}],
    ['upstream gangs', objectsOf(w, w.pods), {}],
    ['--gang-search', objectsOf(w, w.pods), { gangSearch: DEFAULT_GANG_SEARCH }],
  ];
  const bench = new Bench({ name: `gangs ${scale}`, iterations: 5, time: 0, warmupIterations: 1 });
  const results = new Map<string, ScheduleResult>();
  for (const [name, objects, opts] of modes) {
    let engine!: Engine;
    bench.add(name, () => void results.set(name, schedule(engine, objects, opts)), {
      beforeEach: async () => {
        engine = await Engine.create({ objects });
        engine.precompile();
      },
    });
  }
  await bench.run();
  const free = w.nodes.length * 8 - (w.claims ?? []).reduce((n, c) => n + (c.status?.allocation?.devices?.results?.length ?? 0), 0);
  for (const t of bench.tasks) {
    const r = results.get(t.name)!;
    const s = jobStats(w, r);
    const ms = (t.result as { latency: { mean: number } }).latency.mean;
    rows.push({
      nodes: scale,
      'free GPUs': free,
      mode: t.name,
      jobs: s.jobs,
      'fully placed': s.full,
      admitted: s.admitted,
      'GPUs held below minCount': s.stranded,
      'Pods placed': `${s.placed}/${w.pods.length}`,
      'solve ms': ms.toFixed(0),
      'Pods/s': Math.round((w.pods.length / ms) * 1000),
      ...(r.groups ? { 'search steps': r.groups.reduce((n, g) => n + (g.search?.steps ?? 0), 0) } : {}),
    });
  }
}
console.log('\ngangs workload (seed 1): Pod by Pod vs upstream gangs vs --gang-search');
console.table(rows);
