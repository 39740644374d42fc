/**
 * `dralloc snapshot`: every object the allocator and scheduler read, listed from a live cluster
 * into one `v1 List` that `loadPaths` (and so every file-based command) accepts.
 */

import type { Cluster } from './connect.js';
import type { DraObject } from '../model/types.js';
import { decodeObject } from '../model/decode.js';
import { toPlainJson } from './normalize.js';
import { resolveKinds } from './resources.js';

export interface Snapshot {
  apiVersion: 'v1';
  kind: 'List';
  metadata: Record<string, never>;
  items: Record<string, unknown>[];
}

/**
 * Lists Nodes, DeviceClasses, ResourceSlices, ResourceClaims, ResourceClaimTemplates, Pods,
 * DeviceTaintRules and PodGroups (in that order, where served; each in the server's order), as plain v1 JSON with apiVersion
 * and kind set. Each kind is one consistent list; the kinds are not one point in time.
 */
export async function takeSnapshot(c: Cluster, warn: (w: string) => void): Promise<Snapshot> {
  const { kinds, probed } = await resolveKinds(c, warn);
  const items: Record<string, unknown>[] = [];
  for (const k of kinds) {
    const list = probed.get(k.kind) ?? (await k.list(c));
    for (const item of list.items) items.push({ apiVersion: k.apiVersion, kind: k.kind, ...(toPlainJson(item) as object) });
  }
  return { apiVersion: 'v1', kind: 'List', metadata: {}, items };
}

/** A live cluster's objects decoded as if read from a snapshot file (bad objects are InputErrors). */
export async function liveObjects(c: Cluster, warn: (w: string) => void): Promise<DraObject[]> {
  const snapshot = await takeSnapshot(c, warn);
  const warnings: string[] = [];
  const objects = snapshot.items.flatMap((item, i) => decodeObject(item, { file: c.server, doc: 0, item: i }, warnings) ?? []);
  warnings.forEach(warn);
  return objects;
}
