/**
 * Whole-GPU nodes (gpu-5k, nvlink-4gpu, fallback): one ResourceSlice per node (pool = node name,
 * resourceSliceCount 1), devices `gpu-0`… of one model per node, split evenly over two PCIe
 * roots (root r is NUMA node r), and the classes that select them.
 */

import type { DeviceClass, Node, ResourceSlice } from '../model/types.js';
import type { Random } from './random.js';
import { attributeIs, deviceClass, driverIs, indexedName, int, node, nodeSlice, str, version } from './builders.js';

export const GPU_DRIVER = 'gpu.example.com';
export const A100 = 'A100-SXM4-80GB';
export const H100 = 'H100-SXM5-80GB';
/** The fully qualified pcieRoot attribute (what matchAttribute names). */
export const PCIE_ROOT = `${GPU_DRIVER}/pcieRoot`;

const DRIVER_VERSIONS = ['550.54.15', '550.127.5', '570.86.10'];
/** PCIe roots per node; GPUs are split evenly over them. */
const ROOTS = 2;

/** `gpu` (any GPU of the driver), `gpu-a100` and `gpu-h100` (driver and model). */
export function gpuClasses(): DeviceClass[] {
  return [
    deviceClass('gpu', driverIs(GPU_DRIVER)),
    deviceClass('gpu-a100', driverIs(GPU_DRIVER), attributeIs(GPU_DRIVER, 'model', A100)),
    deviceClass('gpu-h100', driverIs(GPU_DRIVER), attributeIs(GPU_DRIVER, 'model', H100)),
  ];
}

/**
 * `count` nodes `prefix-node-NNNN`, each with `gpus` GPUs (even, ≤ 128) of one model (H100 or
 * A100 with equal odds) and one driver version, both picked by `rng`. GPU i sits on root
 * `floor(i / (gpus/2))`: attributes model, pcieRoot (`pci0000:00` / `pci0000:80`), numa (= root),
 * driverVersion, index; capacity memory 80Gi.
 */
export function gpuNodes(rng: Random, prefix: string, count: number, gpus = 8): { nodes: Node[]; slices: ResourceSlice[] } {
  const nodes: Node[] = [];
  const slices: ResourceSlice[] = [];
  const perRoot = gpus / ROOTS;
  for (let n = 0; n < count; n++) {
    const name = indexedName(`${prefix}-node`, n, count);
    nodes.push(node(name, rng));
    const model = rng.pick([A100, H100]);
    const driverVersion = rng.pick(DRIVER_VERSIONS);
    const devices = Array.from({ length: gpus }, (_, i) => {
      const root = Math.floor(i / perRoot);
      return {
        name: `gpu-${i}`,
        attributes: {
          model: str(model),
          pcieRoot: str(`pci0000:${(root * 0x80).toString(16).padStart(2, '0')}`),
          numa: int(root),
          driverVersion: version(driverVersion),
          index: int(i),
        },
        capacity: { memory: { value: '80Gi' } },
      };
    });
    slices.push(nodeSlice(`${name}-gpu`, name, GPU_DRIVER, 1, { devices }));
  }
  return { nodes, slices };
}
