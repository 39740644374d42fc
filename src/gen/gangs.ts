/**
 * gangs: training jobs as gang PodGroups arriving over a partly filled whole-GPU cluster.
 *
 * Cluster: `gang-node-NNNN` × 8 GPUs on 2 PCIe roots (gpu.ts). Before the jobs arrive, each node
 * has 0–6 GPUs in use, picked at random (one allocated claim `fill-<node>` per node that has
 * any), so free GPUs are scattered over roots and nodes.
 *
 * Jobs `job-NNNN`: each a PodGroup and Pods `job-NNNN-w-MM`; one job in three also has a
 * 1-GPU leader `job-NNNN-leader`, first. Workers per job 2–16 (weights 2:8, 4:6, 8:3, 16:1),
 * GPUs per worker 1, 2, 4 or 8 (weights 4:3:2:1); 2 and 4 GPUs must share a PCIe root
 * (matchAttribute pcieRoot, the NVLink domain), 8 is a whole node. `gang.minCount` is the
 * job's Pod count (one job in five is elastic: the leader and ⌈¾⌉ of the workers). Jobs are
 * added until they ask for 1.2 × the free GPUs, so not every job can run.
 */

import type { PodGroup, ResourceClaim, ResourceClaimSpec } from '../model/types.js';
import { GPU_DRIVER, gpuClasses, gpuNodes, PCIE_ROOT } from './gpu.js';
import { claimTemplate, indexedName, NAMESPACE, pod, type WorkloadDef } from './builders.js';

const GPUS_PER_NODE = 8;
const MAX_IN_USE = 6;
const WORKERS = [
  { value: 2, weight: 8 },
  { value: 4, weight: 6 },
  { value: 8, weight: 3 },
  { value: 16, weight: 1 },
];
const GPUS_PER_WORKER = [
  { value: 1, weight: 4 },
  { value: 2, weight: 3 },
  { value: 4, weight: 2 },
  { value: 8, weight: 1 },
];
const OVERSUBSCRIPTION = 1.2;

/** The template for workers of `gpus` GPUs: 2 and 4 on one PCIe root. */
function workerTemplate(gpus: number): { name: string; spec: ResourceClaimSpec } {
  const sameRoot = gpus === 2 || gpus === 4;
  return {
    name: `gang-gpu-${gpus}${sameRoot ? '-same-root' : ''}`,
    spec: {
      devices: {
        requests: [{ name: 'gpus', exactly: { deviceClassName: 'gpu', count: gpus } }],
        ...(sameRoot ? { constraints: [{ matchAttribute: PCIE_ROOT }] } : {}),
      },
    },
  };
}

function fillClaim(node: string, devices: string[]): ResourceClaim {
  return {
    apiVersion: 'resource.k8s.io/v1',
    kind: 'ResourceClaim',
    metadata: { name: `fill-${node}`, namespace: NAMESPACE },
    spec: { devices: { requests: [{ name: 'gpus', exactly: { deviceClassName: 'gpu', count: devices.length } }] } },
    status: {
      allocation: {
        devices: { results: devices.map((device) => ({ request: 'gpus', driver: GPU_DRIVER, pool: node, device })) },
        nodeSelector: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [node] }] }] },
      },
      reservedFor: [{ resource: 'pods', name: `fill-${node}`, uid: `uid-fill-${node}` }],
    },
  };
}

export const gangs: WorkloadDef = {
  name: 'gangs',
  summary: 'nodes × 8 GPUs, 0–6 in use each; gang jobs of 2–16 workers × 1–8 GPUs (2 and 4 on one PCIe root)',
  defaultScale: 200,
  // A node brings its slice, a fill claim and ~1.2 × its free GPUs in gang Pods, claims and groups:
  // about three times what an nvlink-4gpu node brings, so a third of its bound.
  maxScale: 10_000,
  generate(scale, rng) {
    const { nodes, slices } = gpuNodes(rng, 'gang', scale, GPUS_PER_NODE);
    const claims: ResourceClaim[] = [];
    let free = 0;
    for (const n of nodes) {
      const used = rng.int(MAX_IN_USE + 1);
      free += GPUS_PER_NODE - used;
      if (used === 0) continue;
      const devices = rng.shuffle(Array.from({ length: GPUS_PER_NODE }, (_, i) => i)).slice(0, used).sort((a, b) => a - b);
      claims.push(fillClaim(n.metadata.name, devices.map((i) => `gpu-${i}`)));
    }
    const jobs: { leader: boolean; workers: number; gpus: number; minCount: number }[] = [];
    for (let asked = 0; asked < OVERSUBSCRIPTION * free; ) {
      const leader = rng.int(3) === 0;
      const workers = rng.weighted(WORKERS);
      const gpus = rng.weighted(GPUS_PER_WORKER);
      const minCount = (leader ? 1 : 0) + (rng.int(5) === 0 ? Math.ceil((3 * workers) / 4) : workers);
      jobs.push({ leader, workers, gpus, minCount });
      asked += workers * gpus + (leader ? 1 : 0);
    }
    const templates = new Map<number, ReturnType<typeof workerTemplate>>();
    const podGroups: PodGroup[] = [];
    const pods = jobs.flatMap((job, j) => {
      const name = indexedName('job', j, jobs.length);
      podGroups.push({ apiVersion: 'scheduling.k8s.io/v1alpha2', kind: 'PodGroup', metadata: { name, namespace: NAMESPACE }, spec: { schedulingPolicy: { gang: { minCount: job.minCount } } } });
      const template = (gpus: number) => {
        const t = templates.get(gpus) ?? workerTemplate(gpus);
        templates.set(gpus, t);
        return t.name;
      };
      const member = (podName: string, gpus: number) => {
        const p = pod(podName, { gpus: template(gpus) });
        p.spec.schedulingGroup = { podGroupName: name };
        return p;
      };
      const workers = Array.from({ length: job.workers }, (_, w) => member(`${name}-w-${String(w).padStart(2, '0')}`, job.gpus));
      return job.leader ? [member(`${name}-leader`, 1), ...workers] : workers;
    });
    return {
      classes: gpuClasses(),
      nodes,
      slices,
      claims,
      templates: [...templates.values()].sort((a, b) => (a.name < b.name ? -1 : 1)).map((t) => claimTemplate(t.name, t.spec)),
      podGroups,
      pods,
    };
  },
};
