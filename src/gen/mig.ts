/**
 * mig-1k: partitionable GPUs (DRAPartitionableDevices). Per node one pool of three slices:
 * a counter slice with one counter set per GPU (`gpu-G`: memory 80Gi, slices 7) and two device
 * slices with the MIG-like profiles of 4 GPUs each (13 profiles per GPU: 1g.10gb ×7, 2g.20gb ×3,
 * 3g.40gb ×2, 7g.80gb ×1, each consuming its memory and slices from its GPU's counter set).
 * 8 × 13 = 104 devices do not fit one slice: upstream allows at most 64 devices per slice when
 * devices consume counters, hence two device slices (resourceSliceCount 3).
 */

import type { Device, ResourceClaimTemplate, ResourceSlice } from '../model/types.js';
import type { Random } from './random.js';
import { attributeIs, claimTemplate, deviceClass, driverIs, indexedName, int, node, nodeSlice, podsFor, str, type WorkloadDef } from './builders.js';

export const MIG_DRIVER = 'mig.example.com';
const GPUS = 8;
const GPUS_PER_SLICE = 4;
const GPU_MEMORY_GI = 80;
const GPU_SLICES = 7;

export interface MigProfile {
  /** The `profile` attribute, e.g. `1g.10gb`. */
  name: string;
  /** Compute slices (counter `slices`) one instance takes. */
  slices: number;
  /** Memory (counter `memory`, in Gi) one instance takes. */
  memoryGi: number;
  /** Instances a GPU offers. */
  instances: number;
  /** Relative share of Pods asking this profile. */
  weight: number;
}

export const MIG_PROFILES: readonly MigProfile[] = [
  { name: '1g.10gb', slices: 1, memoryGi: 10, instances: 7, weight: 8 },
  { name: '2g.20gb', slices: 2, memoryGi: 20, instances: 3, weight: 4 },
  { name: '3g.40gb', slices: 3, memoryGi: 40, instances: 2, weight: 3 },
  { name: '7g.80gb', slices: 7, memoryGi: 80, instances: 1, weight: 1 },
];

/** `1g-10gb` for profile `1g.10gb` (a DNS label part, for device and template names). */
const label = (p: MigProfile) => p.name.replace('.', '-');
/** The template asking one instance of a profile: `mig-1g-10gb`. */
const templateName = (p: MigProfile) => `mig-${label(p)}`;

/** The profile devices of GPU `g`: `gpu-G-1g-10gb-K`… in profile order. */
function gpuProfiles(g: number): Device[] {
  return MIG_PROFILES.flatMap((p) =>
    Array.from({ length: p.instances }, (_, k) => ({
      name: `gpu-${g}-${label(p)}-${k}`,
      attributes: { profile: str(p.name), gpu: int(g), model: str('A100-SXM4-80GB') },
      capacity: { memory: { value: `${p.memoryGi}Gi` } },
      consumesCounters: [{ counterSet: `gpu-${g}`, counters: { memory: { value: `${p.memoryGi}Gi` }, slices: { value: String(p.slices) } } }],
    })),
  );
}

/** The three slices of one node's pool. */
function migSlices(name: string): ResourceSlice[] {
  const sliceCount = 1 + GPUS / GPUS_PER_SLICE;
  const counters = nodeSlice(`${name}-mig-counters`, name, MIG_DRIVER, sliceCount, {
    sharedCounters: Array.from({ length: GPUS }, (_, g) => ({
      name: `gpu-${g}`,
      counters: { memory: { value: `${GPU_MEMORY_GI}Gi` }, slices: { value: String(GPU_SLICES) } },
    })),
  });
  const devices = Array.from({ length: GPUS / GPUS_PER_SLICE }, (_, s) =>
    nodeSlice(`${name}-mig-${s}`, name, MIG_DRIVER, sliceCount, {
      devices: Array.from({ length: GPUS_PER_SLICE }, (_, i) => gpuProfiles(s * GPUS_PER_SLICE + i)).flat(),
    }),
  );
  return [counters, ...devices];
}

function profileTemplate(p: MigProfile): ResourceClaimTemplate {
  return claimTemplate(templateName(p), {
    devices: {
      requests: [{ name: 'mig', exactly: { deviceClassName: 'mig', count: 1, selectors: [{ cel: { expression: attributeIs(MIG_DRIVER, 'profile', p.name) } }] } }],
    },
  });
}

/** 1,000 nodes × 8 partitionable GPUs; 16 Pods per node, each one MIG profile (weights 8:4:3:1). */
export const mig1k: WorkloadDef = {
  name: 'mig-1k',
  summary: 'nodes × 8 partitionable GPUs (MIG-like profiles over shared counters); 16 Pods per node, each 1 profile',
  defaultScale: 1000,
  maxScale: 5_000,
  generate(scale, rng: Random) {
    const nodes = Array.from({ length: scale }, (_, n) => node(indexedName('mig-node', n, scale), rng));
    const slices = nodes.flatMap((n) => migSlices(n.metadata.name));
    const choices = MIG_PROFILES.map((p) => ({ value: templateName(p), weight: p.weight }));
    return {
      classes: [deviceClass('mig', driverIs(MIG_DRIVER))],
      nodes,
      slices,
      templates: MIG_PROFILES.map(profileTemplate),
      pods: podsFor('mig', 16 * scale, 'mig', () => rng.weighted(choices)),
    };
  },
};
