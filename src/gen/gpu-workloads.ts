/** The whole-GPU workloads: gpu-5k, nvlink-4gpu and fallback (see docs/gen.md). */

import type { ResourceClaimSpec } from '../model/types.js';
import { gpuClasses, gpuNodes, PCIE_ROOT } from './gpu.js';
import { claimTemplate, podsFor, type WorkloadDef } from './builders.js';

interface GpuWorkload {
  name: string;
  summary: string;
  defaultScale: number;
  maxScale: number;
  /** Prefix of node and Pod names. */
  prefix: string;
  podsPerNode: number;
  /** The one template every Pod uses, and the claim name the Pod gives it. */
  template: { name: string; claim: string; spec: ResourceClaimSpec };
}

/** Whole-GPU nodes (`gpuNodes`, 8 GPUs each) and `podsPerNode × scale` Pods of one template. */
function gpuWorkload(w: GpuWorkload): WorkloadDef {
  return {
    name: w.name,
    summary: w.summary,
    defaultScale: w.defaultScale,
    maxScale: w.maxScale,
    generate(scale, rng) {
      const { nodes, slices } = gpuNodes(rng, w.prefix, scale);
      const templates = [claimTemplate(w.template.name, structuredClone(w.template.spec))];
      return { classes: gpuClasses(), nodes, slices, templates, pods: podsFor(w.prefix, w.podsPerNode * scale, w.template.claim, () => w.template.name) };
    },
  };
}

/** 5,000 nodes × 8 GPUs; 2 Pods per node, each asking one GPU of class `gpu`. */
export const gpu5k = gpuWorkload({
  name: 'gpu-5k',
  summary: 'nodes × 8 GPUs (A100/H100 mix); 2 Pods per node, each 1 GPU of class gpu',
  defaultScale: 5000,
  maxScale: 50_000,
  prefix: 'gpu',
  podsPerNode: 2,
  template: { name: 'gpu-1', claim: 'gpu', spec: { devices: { requests: [{ name: 'gpu', exactly: { deviceClassName: 'gpu', count: 1 } }] } } },
});

/** 1,000 nodes × 8 GPUs on 2 PCIe roots; 2 Pods per node, each 4 GPUs on one root (fills the cluster). */
export const nvlink4gpu = gpuWorkload({
  name: 'nvlink-4gpu',
  summary: 'nodes × 8 GPUs on 2 PCIe roots; 2 Pods per node, each 4 GPUs with matchAttribute pcieRoot',
  defaultScale: 1000,
  maxScale: 30_000,
  prefix: 'nvl',
  podsPerNode: 2,
  template: {
    name: 'gpu-4-same-root',
    claim: 'gpus',
    spec: { devices: { requests: [{ name: 'gpus', exactly: { deviceClassName: 'gpu', count: 4 } }], constraints: [{ matchAttribute: PCIE_ROOT }] } },
  },
});

/** 1,000 nodes × 8 GPUs; 4 Pods per node, each firstAvailable [1 H100, 2 A100, 1 any GPU]. */
export const fallback = gpuWorkload({
  name: 'fallback',
  summary: 'nodes × 8 GPUs; 4 Pods per node, each firstAvailable [1 H100, 2 A100, 1 any GPU]',
  defaultScale: 1000,
  maxScale: 30_000,
  prefix: 'fb',
  podsPerNode: 4,
  template: {
    name: 'gpu-fallback',
    claim: 'gpu',
    spec: {
      devices: {
        requests: [
          {
            name: 'gpu',
            firstAvailable: [
              { name: 'h100', deviceClassName: 'gpu-h100', count: 1 },
              { name: 'a100', deviceClassName: 'gpu-a100', count: 2 },
              { name: 'any', deviceClassName: 'gpu', count: 1 },
            ],
          },
        ],
      },
    },
  },
});
