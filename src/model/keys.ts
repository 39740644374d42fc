/**
 * Keys of the objects an Engine holds: the identity an informer (or any caller) uses to say
 * "this object again, maybe in a new version". Cluster-scoped kinds are keyed by kind and name,
 * namespaced ones by kind, namespace and name; a ResourceClaim that has a `metadata.uid` is
 * keyed by that uid (the API server's identity of a claim, which survives nothing but the
 * claim itself), else by namespace and name.
 */

import type { DraObject } from './types.js';
import { InputError } from './errors.js';

/** The key of an object the engine holds (see `keyOf`). */
export type ObjectKey = string;

/** Kinds the allocator keeps and uses. */
const ENGINE_KINDS = ['Node', 'DeviceClass', 'ResourceSlice', 'DeviceTaintRule', 'ResourceClaim'] as const;
/** Kinds an engine accepts and ignores: they are the business of `schedule` and the live scheduler. */
const IGNORED_KINDS = ['Pod', 'ResourceClaimTemplate', 'Namespace', 'PodGroup'] as const;
const NAMESPACED = new Set(['ResourceClaim', 'ResourceClaimTemplate', 'Pod', 'PodGroup']);

export type EngineKind = (typeof ENGINE_KINDS)[number];

/**
 * `Kind/name` or `Kind/namespace/name`; `ResourceClaim uid=<uid>` for a claim with a uid.
 * The two claim forms cannot collide: a name never contains a space or `=`.
 */
export function keyOf(o: DraObject): ObjectKey {
  const md = o.metadata as { name: string; namespace?: string; uid?: string };
  if (o.kind === 'ResourceClaim' && md.uid) return `ResourceClaim uid=${md.uid}`;
  return NAMESPACED.has(o.kind) ? `${o.kind}/${md.namespace ?? ''}/${md.name}` : `${o.kind}/${md.name}`;
}

/** The kind a key names (the text before its first `/` or space). */
export function kindOfKey(key: ObjectKey): string {
  return /^[A-Za-z]+/.exec(key)?.[0] ?? '';
}

/**
 * Throws InputError unless `o` is an object the engine can take: a plain object with a string
 * `kind` the engine knows (or ignores), and a `metadata.name`. A ResourceSlice must also carry
 * what the inventory indexes it by (`spec.driver`, `spec.pool.name`, `spec.pool.generation`).
 */
export function checkObject(o: unknown, at: string | (() => string)): asserts o is DraObject {
  // `at` may be a function, so that a caller checking many objects writes no text until one fails.
  const where = () => (typeof at === 'string' ? at : at());
  if (typeof o !== 'object' || o === null || Array.isArray(o)) {
    throw new InputError(`${where()}: expected a Kubernetes object, got ${o === null ? 'null' : Array.isArray(o) ? 'an array' : typeof o}`);
  }
  const r = o as Record<string, unknown>;
  if (r.kind === undefined && 'object' in r) {
    throw new InputError(`${where()}: expected a Kubernetes object, got a wrapper with an \`object\` field (pass the loaded entries' .object, e.g. loadPaths(...).objects.map((l) => l.object))`);
  }
  if (typeof r.kind !== 'string' || r.kind === '') throw new InputError(`${where()}: kind: missing`);
  const known = (ENGINE_KINDS as readonly string[]).includes(r.kind) || (IGNORED_KINDS as readonly string[]).includes(r.kind);
  if (!known) throw new InputError(`${where()}: kind: ${r.kind} is not supported (the engine takes ${[...ENGINE_KINDS, ...IGNORED_KINDS].join(', ')})`);
  const md = r.metadata as Record<string, unknown> | undefined;
  if (typeof md !== 'object' || md === null || typeof md.name !== 'string' || md.name === '') {
    throw new InputError(`${where()} (${r.kind}): metadata.name: missing`);
  }
  if (r.kind === 'ResourceSlice') {
    const spec = r.spec as { driver?: unknown; pool?: { name?: unknown; generation?: unknown } } | undefined;
    const missing =
      typeof spec?.driver !== 'string' ? 'spec.driver' : typeof spec.pool?.name !== 'string' ? 'spec.pool.name' : typeof spec.pool.generation !== 'number' ? 'spec.pool.generation' : undefined;
    if (missing) throw new InputError(`${where()} (ResourceSlice ${md.name}): ${missing}: missing`);
  }
}

/** Whether the engine keeps objects of this kind (the others are accepted and ignored). */
export function isEngineKind(kind: string): kind is EngineKind {
  return (ENGINE_KINDS as readonly string[]).includes(kind);
}
