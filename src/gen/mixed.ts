/** mixed: every other workload in one cluster, at a fraction of the scale each. */

import type { KObject } from '../model/types.js';
import { fallback, gpu5k, nvlink4gpu } from './gpu-workloads.js';
import { mig1k } from './mig.js';
import { rdmaBw } from './rdma.js';
import type { Workload, WorkloadDef } from './builders.js';

const PARTS: readonly WorkloadDef[] = [gpu5k, nvlink4gpu, mig1k, rdmaBw, fallback];

/**
 * Objects of `lists` with the first of each name; a later one of the same name must be
 * identical (the parts share classes such as `gpu`), else the generators disagree: a bug.
 */
function unique<T extends KObject>(lists: T[][]): T[] {
  const byName = new Map<string, T>();
  for (const o of lists.flat()) {
    const name = o.metadata?.name ?? '';
    const seen = byName.get(name);
    if (!seen) byName.set(name, o);
    else if (JSON.stringify(seen) !== JSON.stringify(o)) throw new Error(`gen mixed: two different ${o.kind} objects are named ${name}`);
  }
  return [...byName.values()];
}

/**
 * `scale` nodes split as evenly as possible over gpu-5k, nvlink-4gpu, mig-1k, rdma-bw and
 * fallback (each generated from its own fork of `rng`, with its own name prefix); the Pods of
 * all parts arrive in one shuffled order.
 */
export const mixed: WorkloadDef = {
  name: 'mixed',
  summary: 'all of the above in one cluster: scale nodes split evenly over the five, Pods shuffled',
  defaultScale: 500,
  maxScale: 10_000,
  generate(scale, rng) {
    const parts: Workload[] = PARTS.map((def, k) => def.generate(Math.floor((scale + k) / PARTS.length), rng.fork()));
    return {
      classes: unique(parts.map((p) => p.classes)),
      nodes: parts.flatMap((p) => p.nodes),
      slices: parts.flatMap((p) => p.slices),
      templates: unique(parts.map((p) => p.templates)),
      pods: rng.shuffle(parts.flatMap((p) => p.pods)),
    };
  },
};
