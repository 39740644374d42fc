/**
 * `dralloc/gen`: the seeded synthetic workloads of `dralloc gen` (docs/gen.md) — the same
 * (name, scale, seed) gives the same objects on every machine.
 */

export { generateWorkload, findWorkload, WORKLOADS, DEFAULT_SEED, UnknownWorkloadError, type GenerateOptions } from './gen/workloads.js';
export type { Workload, WorkloadDef } from './gen/workload.js';
export { podClaims } from './gen/claims.js';
export { workloadFiles, type WorkloadFile } from './gen/files.js';
