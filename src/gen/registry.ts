/**
 * The named workloads of `dralloc gen` and the benchmarks, and how to generate one.
 * Same (name, scale, seed) → the same objects, in the same order, on every machine.
 */

import { fallback, gpu5k, nvlink4gpu } from './gpu-workloads.js';
import { gangs } from './gangs.js';
import { mig1k } from './mig.js';
import { mixed } from './mixed.js';
import { Random } from './random.js';
import { rdmaBw } from './rdma.js';
import type { Workload, WorkloadDef } from './builders.js';

export const WORKLOADS: readonly WorkloadDef[] = [gpu5k, nvlink4gpu, mig1k, rdmaBw, fallback, mixed, gangs];

export const DEFAULT_SEED = 1;

export interface GenerateOptions {
  /** Number of nodes (default: the workload's defaultScale); a positive integer. */
  scale?: number;
  /** PRNG seed (default DEFAULT_SEED); an integer, taken modulo 2^32. */
  seed?: number;
}

/** Thrown for an unknown workload name; the message lists the known ones. */
export class UnknownWorkloadError extends Error {}

export function findWorkload(name: string): WorkloadDef {
  const def = WORKLOADS.find((w) => w.name === name);
  if (!def) throw new UnknownWorkloadError(`unknown workload "${name}" (known: ${WORKLOADS.map((w) => w.name).join(', ')})`);
  return def;
}

/** Generates workload `name`. Throws UnknownWorkloadError for an unknown name. */
export function generateWorkload(name: string, opts: GenerateOptions = {}): Workload {
  const def = findWorkload(name);
  return def.generate(opts.scale ?? def.defaultScale, new Random(opts.seed ?? DEFAULT_SEED));
}
