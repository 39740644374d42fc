/**
 * The regression corpus of `dralloc schedule`: every `dralloc gen` workload at a small scale,
 * seeds 1–3, each in two variants — `fit` (the workload as generated: every Pod fits) and
 * `overfull` (the same cluster given five times as many Pods, so unschedulable Pods and their
 * messages are covered too) — under both strategies. The expected outputs in
 * test/fixtures/regression were recorded before the resident-engine work began (record.ts) and
 * must stay byte-identical.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateWorkload } from '../../src/gen/registry.js';
import { workloadFiles } from '../../src/gen/files.js';
import { cli, type CliRun } from '../run-cli.js';

export const SCALES: Record<string, number> = { 'gpu-5k': 12, 'nvlink-4gpu': 6, 'mig-1k': 4, 'rdma-bw': 6, fallback: 6, mixed: 15 };
export const SEEDS = [1, 2, 3];
export const VARIANTS = ['fit', 'overfull'] as const;
export const STRATEGIES = ['upstream', 'pack'] as const;
export const FIXTURES = 'test/fixtures/regression';

export interface Case {
  workload: string;
  seed: number;
  variant: (typeof VARIANTS)[number];
  strategy: (typeof STRATEGIES)[number];
  /** File name of the expected output (gzipped `schedule -o json` stdout). */
  fixture: string;
}

export function cases(): Case[] {
  const out: Case[] = [];
  for (const workload of Object.keys(SCALES))
    for (const seed of SEEDS)
      for (const variant of VARIANTS)
        for (const strategy of STRATEGIES) out.push({ workload, seed, variant, strategy, fixture: `${workload}-s${seed}-${variant}-${strategy}.json.gz` });
  return out;
}

/** Writes the input of (workload, seed, variant) into `dir` and returns `dir`. */
export function writeInput(dir: string, workload: string, seed: number, variant: Case['variant']): string {
  mkdirSync(dir, { recursive: true });
  const scale = SCALES[workload];
  const cluster = workloadFiles(generateWorkload(workload, { scale, seed })).find((f) => f.name === 'cluster.json')!;
  const podsScale = variant === 'fit' ? scale : scale * 5;
  const pods = workloadFiles(generateWorkload(workload, { scale: podsScale, seed })).find((f) => f.name === 'pods.json')!;
  writeFileSync(join(dir, 'cluster.json'), cluster.text);
  writeFileSync(join(dir, 'pods.json'), pods.text);
  return dir;
}

/**
 * schedule's output with each `shareID` (a random UUID per allocated share, as upstream makes
 * them) replaced by `<uuid>`; every other byte is compared. A shareID that is not a v4 UUID
 * stays as it is, and so fails the comparison.
 */
export function withoutShareIds(text: string): string {
  return text.replace(/"shareID": "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"/g, '"shareID": "<uuid>"');
}

/** `dralloc schedule -f dir --strategy s -o json --quiet`, in process. */
export function scheduleJson(dir: string, strategy: string): Promise<CliRun> {
  return cli('schedule', '-f', dir, '--strategy', strategy, '-o', 'json', '--quiet');
}
