/**
 * Device health as kubelet reports it (ResourceHealthStatus): every container status of a Pod
 * may carry `allocatedResourcesStatus: [{name: "claim:<claim>/<request>", resources:
 * [{resourceID: "<driver>/<pool>/<device>", health: Healthy|Unhealthy|Unknown}]}]`.
 * `healthReport` groups the devices that are not Healthy by node, with the Pods using them.
 */

import type { DraObject, Pod } from '../model/types.js';

export interface DeviceHealth {
  device: string;
  health: string;
  /** `namespace/name (claim:<claim>/<request>)` of each Pod reporting it. */
  pods: string[];
}
export interface NodeHealth {
  node: string;
  devices: DeviceHealth[];
}

interface ResourceStatus {
  name?: string;
  resources?: { resourceID?: string; health?: string }[];
}

/** Nodes (sorted) with their devices that are Unhealthy or Unknown (sorted by ID); healthy ones are left out. */
export function healthReport(objects: readonly DraObject[]): NodeHealth[] {
  const nodes = new Map<string, Map<string, DeviceHealth>>();
  for (const pod of objects.filter((o): o is Pod => o.kind === 'Pod')) {
    const node = pod.spec.nodeName ?? '<unscheduled>';
    const statuses = ['initContainerStatuses', 'containerStatuses', 'ephemeralContainerStatuses'].flatMap(
      (f) => (pod.status?.[f] as { allocatedResourcesStatus?: ResourceStatus[] }[] | undefined) ?? [],
    );
    for (const s of statuses.flatMap((c) => c.allocatedResourcesStatus ?? [])) {
      for (const r of s.resources ?? []) {
        const health = r.health ?? 'Unknown';
        if (health === 'Healthy' || !r.resourceID) continue;
        const devices = nodes.get(node) ?? new Map<string, DeviceHealth>();
        nodes.set(node, devices);
        const d = devices.get(r.resourceID) ?? { device: r.resourceID, health, pods: [] };
        devices.set(r.resourceID, d);
        if (health === 'Unhealthy') d.health = health; // one Unhealthy report wins over Unknown
        const who = `${pod.metadata.namespace ?? 'default'}/${pod.metadata.name} (${s.name ?? '?'})`;
        if (!d.pods.includes(who)) d.pods.push(who);
      }
    }
  }
  return [...nodes.keys()].sort().map((node) => ({
    node,
    devices: [...nodes.get(node)!.values()].sort((a, b) => (a.device < b.device ? -1 : 1)),
  }));
}
