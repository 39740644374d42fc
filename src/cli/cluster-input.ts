/** The objects of commands that read either files (`-f`) or a live cluster (no `-f`). */

import type { DraObject } from '../model/types.js';
import { InputError } from '../model/errors.js';
import { apiErrorText, connect, connectOptions, type Cluster } from '../k8s/connect.js';
import { liveObjects } from '../k8s/snapshot.js';
import { loadInputs } from './inputs.js';
import type { CliIO } from './io.js';

export interface ClusterInputFlags {
  filename?: string[];
  kubeconfig?: string;
  context?: string;
  'in-cluster'?: boolean;
}

/** Files when `-f` is given, else a snapshot of the cluster (then `cluster` is the connection). */
export async function clusterInput(v: ClusterInputFlags, io: CliIO): Promise<{ objects: DraObject[]; cluster?: Cluster }> {
  if (v.filename?.length) return { objects: await loadInputs(v.filename, io) };
  const cluster = await connect(connectOptions(v));
  const objects = await liveObjects(cluster, (w) => io.stderr(`warning: ${w}\n`)).catch((e: unknown) => {
    if (e instanceof InputError) throw e;
    throw new InputError(`${cluster.server}: listing failed: ${apiErrorText(e)}`);
  });
  return { objects, cluster };
}
