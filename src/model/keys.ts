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

/** A claim's (or template's, PodGroup's) `namespace/name`: how the scheduler knows claims. */
export type ClaimKey = string;
export const claimKey = (namespace: string | undefined, name: string): ClaimKey => `${namespace ?? ''}/${name}`;

const CLAIM_PREFIX = 'ResourceClaim/';

/**
 * Where an engine holds a claim: `keyOf`'s key without its `ResourceClaim/` prefix — the
 * claim's `claimKey` when it has no uid (so the scheduler's key string of a claim it stamped
 * serves as is: its hash is computed once, not again for a new string), else `keyOf`'s
 * `ResourceClaim uid=…` (no `namespace/name` contains a space). A claim key is one of these.
 */
export function claimHeldAt(key: ObjectKey): string {
  return key.startsWith(CLAIM_PREFIX) ? key.slice(CLAIM_PREFIX.length) : key;
}

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
 * Throws InputError unless `o` (item `i` of `list`, as the error names it) is an object the
 * engine can take: a plain object with a string `kind` the engine knows (or ignores), and a
 * `metadata.name`. A ResourceSlice must also carry what the inventory indexes it by
 * (`spec.driver`, `spec.pool.name`, `spec.pool.generation`).
 */
export function checkObject(o: unknown, list: string, i: number): asserts o is DraObject {
  const problem = objectProblem(o);
  if (problem !== undefined) throw new InputError(`${list}[${i}]${problem}`);
}

/** What is wrong with `o` as checkObject judges it, as the text after the item's position; undefined when nothing. */
function objectProblem(o: unknown): string | undefined {
  if (typeof o !== 'object' || o === null || Array.isArray(o)) {
    return `: expected a Kubernetes object, got ${o === null ? 'null' : Array.isArray(o) ? 'an array' : typeof o}`;
  }
  const r = o as Record<string, unknown>;
  if (r.kind === undefined && 'object' in r) {
    return ": expected a Kubernetes object, got a wrapper with an `object` field (pass the loaded entries' .object, e.g. loadPaths(...).objects.map((l) => l.object))";
  }
  if (typeof r.kind !== 'string' || r.kind === '') return ': kind: missing';
  const known = (ENGINE_KINDS as readonly string[]).includes(r.kind) || (IGNORED_KINDS as readonly string[]).includes(r.kind);
  if (!known) return `: kind: ${r.kind} is not supported (the engine takes ${[...ENGINE_KINDS, ...IGNORED_KINDS].join(', ')})`;
  const md = r.metadata as Record<string, unknown> | undefined;
  if (typeof md !== 'object' || md === null || typeof md.name !== 'string' || md.name === '') return ` (${r.kind}): metadata.name: missing`;
  if (r.kind === 'ResourceSlice') {
    const spec = r.spec as { driver?: unknown; pool?: { name?: unknown; generation?: unknown } } | undefined;
    const what = ` (ResourceSlice ${md.name})`;
    if (typeof spec?.driver !== 'string') return `${what}: spec.driver: missing`;
    if (typeof spec.pool?.name !== 'string') return `${what}: spec.pool.name: missing`;
    if (typeof spec.pool.generation !== 'number') return `${what}: spec.pool.generation: missing`;
  }
  return undefined;
}

/** Whether the engine keeps objects of this kind (the others are accepted and ignored). */
export function isEngineKind(kind: string): kind is EngineKind {
  return (ENGINE_KINDS as readonly string[]).includes(kind);
}
