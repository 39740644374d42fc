/**
 * The `gangs` gen workload: its shape (as docs/gen.md states it), and the invariant gangs exist
 * for — scheduled with PodGroups, no GPU is held by a job below its minCount; Pod by Pod (the
 * same Pods without groups) some are.
 */
import { describe, it, expect } from 'vitest';
import { generateWorkload } from '../../src/gen/registry.js';
import { Engine } from '../../src/engine.js';
import { schedule } from '../../src/schedule/scheduler.js';
import { lintString } from '../../src/lint/index.js';
import { workloadFiles } from '../../src/gen/files.js';
import type { DraObject, Pod } from '../../src/model/types.js';

const w = generateWorkload('gangs', { scale: 40, seed: 2 });
const objectsOf = (pods: Pod[]): DraObject[] => [...w.classes, ...w.nodes, ...w.slices, ...(w.claims ?? []), ...w.templates, ...(w.podGroups ?? []), ...pods];

/** GPUs allocated to Pods of jobs that have fewer than minCount Pods bound. */
function stranded(result: ReturnType<typeof schedule>): number {
  const minCount = new Map(w.podGroups!.map((g) => [g.metadata.name, g.spec.schedulingPolicy.gang!.minCount]));
  const bound = new Map<string, number>();
  for (const p of result.pods) if (p.node) bound.set(p.pod.spec.schedulingGroup!.podGroupName!, (bound.get(p.pod.spec.schedulingGroup!.podGroupName!) ?? 0) + 1);
  const short = new Set([...minCount].filter(([g, m]) => (bound.get(g) ?? 0) < m).map(([g]) => g));
  const podGroup = new Map(w.pods.map((p) => [p.metadata.name, p.spec.schedulingGroup!.podGroupName!]));
  return result.claims
    .filter((c) => c.status?.allocation && !c.metadata.name!.startsWith('fill-'))
    .filter((c) => short.has(podGroup.get(c.status!.reservedFor![0].name)!))
    .reduce((n, c) => n + (c.status!.allocation!.devices?.results?.length ?? 0), 0);
}

describe('gen --workload gangs', () => {
  it('jobs of 2–16 workers (and maybe a 1-GPU leader) with 1, 2, 4 or 8 GPUs each, over 0–6 GPUs in use per node', () => {
    const byGroup = new Map<string, Pod[]>();
    for (const p of w.pods) byGroup.set(p.spec.schedulingGroup!.podGroupName!, [...(byGroup.get(p.spec.schedulingGroup!.podGroupName!) ?? []), p]);
    expect(byGroup.size).toBe(w.podGroups!.length);
    for (const g of w.podGroups!) {
      const pods = byGroup.get(g.metadata.name)!;
      const workers = pods.filter((p) => !p.metadata.name.endsWith('-leader'));
      expect([2, 4, 8, 16]).toContain(workers.length);
      expect(pods.length - workers.length).toBeLessThanOrEqual(1);
      expect(new Set(workers.map((p) => p.spec.resourceClaims![0].resourceClaimTemplateName)).size).toBe(1);
      const minCount = g.spec.schedulingPolicy.gang!.minCount;
      expect(minCount).toBeGreaterThanOrEqual(Math.ceil((3 * workers.length) / 4));
      expect(minCount).toBeLessThanOrEqual(pods.length);
    }
    expect(w.templates.map((t) => t.metadata.name).sort()).toEqual(['gang-gpu-1', 'gang-gpu-2-same-root', 'gang-gpu-4-same-root', 'gang-gpu-8']);
    for (const c of w.claims!) expect(c.status!.allocation!.devices!.results!.length).toBeLessThanOrEqual(6);
    const free = w.nodes.length * 8 - w.claims!.reduce((n, c) => n + c.status!.allocation!.devices!.results!.length, 0);
    const gpus = (p: Pod) => Number(/gang-gpu-(\d)/.exec(p.spec.resourceClaims![0].resourceClaimTemplateName!)![1]);
    expect(w.pods.reduce((n, p) => n + gpus(p), 0)).toBeGreaterThanOrEqual(1.2 * free);
  });

  it('lints clean', { timeout: 60_000 }, () => {
    const text = workloadFiles(w).map((f) => f.text).join('\n---\n');
    expect(lintString(text, 'gangs.json', { consumableCapacity: true, listTypeAttributes: false })).toEqual([]);
  });

  it('with gangs no GPU is held by a job below minCount; Pod by Pod, GPUs are', { timeout: 60_000 }, async () => {
    const gangs = schedule(await Engine.create({ objects: objectsOf(w.pods) }), objectsOf(w.pods));
    expect(gangs.groups!.some((g) => !g.admitted)).toBe(true);
    expect(stranded(gangs)).toBe(0);
    const loose = w.pods.map((p) => ({ ...p, spec: { ...p.spec, schedulingGroup: undefined } }));
    const podByPod = schedule(await Engine.create({ objects: objectsOf(loose) }), objectsOf(loose));
    // `stranded` finds a Pod's job through its spec.schedulingGroup: give the results the original Pods.
    const original = new Map(w.pods.map((p) => [p.metadata.name, p]));
    expect(stranded({ ...podByPod, pods: podByPod.pods.map((r) => ({ ...r, pod: original.get(r.pod.metadata.name)! })) })).toBeGreaterThan(0);
  });
});
