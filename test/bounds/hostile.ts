/** The hostile inputs of test/fixtures/hostile, loaded. */
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { loadPaths } from '../../src/model/load.js';
import type { DraObject, ResourceClaim } from '../../src/model/types.js';

export const DISTINCT = 'test/fixtures/hostile/distinct';
export const DISTINCT_FILES = ['cluster.yaml', 'claim.yaml', 'pods.yaml'].map((f) => `${DISTINCT}/${f}`);

/** 8 requests × 1 device, distinctAttribute over 7 values on 64 devices per node (nodes n1, n2). */
export async function distinctObjects(): Promise<{ objects: DraObject[]; claim: ResourceClaim }> {
  const objects = (await loadPaths(DISTINCT_FILES)).objects.map((l) => l.object);
  const claim = objects.find((o): o is ResourceClaim => o.kind === 'ResourceClaim' && o.metadata.name === 'distinct8')!;
  return { objects, claim };
}

/** The same fixture as raw objects (for the fake API server). */
export function distinctRaw(): Record<string, unknown>[] {
  return DISTINCT_FILES.flatMap((f) => parseAllDocuments(readFileSync(f, 'utf8')).map((d) => d.toJS() as Record<string, unknown>));
}
