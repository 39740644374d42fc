/** Small builders for the hand-made objects the unit tests use (v1 shapes, only what matters). */
import type { Device, Node, ResourceSlice, ResourceSliceSpec } from '../../src/model/types.js';

export function node(name: string, labels: Record<string, string> = {}): Node {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name, labels } };
}

/** A ResourceSlice of `driver`/`pool` (generation 1 of 1 slice unless given) on node `node-1` unless a node selection is given. */
export function slice(name: string, devices: Device[], spec: Partial<ResourceSliceSpec> & { poolName?: string; generation?: number; count?: number } = {}): ResourceSlice {
  const { poolName = 'pool-1', generation = 1, count = 1, ...rest } = spec;
  const selection = rest.nodeName || rest.nodeSelector || rest.allNodes || rest.perDeviceNodeSelection ? {} : { nodeName: 'node-1' };
  return {
    apiVersion: 'resource.k8s.io/v1',
    kind: 'ResourceSlice',
    metadata: { name },
    spec: { driver: 'gpu.example.com', pool: { name: poolName, generation, resourceSliceCount: count }, ...selection, ...rest, devices },
  };
}

export const dev = (name: string, extra: Partial<Device> = {}): Device => ({ name, ...extra });
