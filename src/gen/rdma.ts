/**
 * rdma-bw: shared NICs (DRAConsumableCapacity). Every node has 2 NICs that allow multiple
 * allocations; each offers `bandwidth` 400G with request policy default 10G and valid range
 * 10G..400G in steps of 10G, so a request is rounded up to the next multiple of 10G.
 */

import type { Device } from '../model/types.js';
import { claimTemplate, deviceClass, driverIs, indexedName, int, node, nodeSlice, podsFor, str, type WorkloadDef } from './builders.js';

export const RDMA_DRIVER = 'rdma.example.com';
const NICS = 2;
/** Pods ask multiples of this many G between MIN_ASK and MAX_ASK (some are not multiples of the 10G step). */
const ASK_STEP = 5;
const MIN_ASK = 10;
const MAX_ASK = 200;

function nic(i: number): Device {
  return {
    name: `nic-${i}`,
    allowMultipleAllocations: true,
    attributes: { model: str('ConnectX-7'), numa: int(i) },
    capacity: { bandwidth: { value: '400G', requestPolicy: { default: '10G', validRange: { min: '10G', max: '400G', step: '10G' } } } },
  };
}

/** `rdma-25g`: the template asking `gbps` G of bandwidth on one NIC. */
const templateName = (gbps: number) => `rdma-${gbps}g`;

/** 1,000 nodes × 2 shared 400G NICs; 6 Pods per node, each 10G–200G (in 5G steps) of one NIC. */
export const rdmaBw: WorkloadDef = {
  name: 'rdma-bw',
  summary: 'nodes × 2 shared 400G NICs (consumable capacity); 6 Pods per node, each 10G-200G of bandwidth',
  defaultScale: 1000,
  maxScale: 30_000,
  generate(scale, rng) {
    const nodes = Array.from({ length: scale }, (_, n) => node(indexedName('rdma-node', n, scale), rng));
    const slices = nodes.map((n) => nodeSlice(`${n.metadata.name}-rdma`, n.metadata.name, RDMA_DRIVER, 1, { devices: Array.from({ length: NICS }, (_, i) => nic(i)) }));
    const asks = Array.from({ length: 6 * scale }, () => MIN_ASK + ASK_STEP * rng.int((MAX_ASK - MIN_ASK) / ASK_STEP + 1));
    const used = [...new Set(asks)].sort((a, b) => a - b);
    const templates = used.map((gbps) =>
      claimTemplate(templateName(gbps), {
        devices: { requests: [{ name: 'nic', exactly: { deviceClassName: 'rdma-nic', count: 1, capacity: { requests: { bandwidth: `${gbps}G` } } } }] },
      }),
    );
    return {
      classes: [deviceClass('rdma-nic', driverIs(RDMA_DRIVER))],
      nodes,
      slices,
      templates,
      pods: podsFor('rdma', asks.length, 'nic', (i) => templateName(asks[i])),
    };
  },
};
