import { describe, expect, it } from 'vitest';
import { healthReport } from '../../src/k8s/health.js';
import type { DraObject } from '../../src/model/types.js';

const pod = (name: string, node: string, resources: object[]) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'ml' }, spec: { nodeName: node },
  status: { containerStatuses: [{ name: 'main', allocatedResourcesStatus: [{ name: 'claim:c/gpu', resources }] }] },
}) as unknown as DraObject;

describe('device health report', () => {
  it('lists Unhealthy and Unknown devices per node with their Pods, leaving healthy ones out', () => {
    const report = healthReport([
      pod('a', 'n2', [{ resourceID: 'gpu/n2/gpu-1', health: 'Unhealthy' }, { resourceID: 'gpu/n2/gpu-0', health: 'Healthy' }]),
      pod('b', 'n1', [{ resourceID: 'gpu/n1/gpu-3', health: 'Unknown' }]),
      pod('c', 'n2', [{ resourceID: 'gpu/n2/gpu-1', health: 'Unhealthy' }]),
    ]);
    expect(report).toEqual([
      { node: 'n1', devices: [{ device: 'gpu/n1/gpu-3', health: 'Unknown', pods: ['ml/b (claim:c/gpu)'] }] },
      { node: 'n2', devices: [{ device: 'gpu/n2/gpu-1', health: 'Unhealthy', pods: ['ml/a (claim:c/gpu)', 'ml/c (claim:c/gpu)'] }] },
    ]);
  });
});
