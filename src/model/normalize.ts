/**
 * `normalize`: one object as a scheduler author holds it — a `@kubernetes/client-node` model
 * (fields renamed where they clash with JS: `int` is `_int`, `default` is `_default`;
 * timestamps are `Date`s), kubectl's JSON, or a YAML-decoded value — as the decoded DraObject
 * the engine reads. This module does not import client-node: models are recognised by their
 * class's `getAttributeTypeMap()`.
 */

import { decodeObject, defaultApiVersion } from './decode.js';
import { InputError } from './errors.js';
import type { DraObject } from './types.js';

interface AttributeType {
  name: string;
  baseName: string;
}
type ModelClass = { getAttributeTypeMap(): AttributeType[] };

/**
 * Plain JSON for a client-node model or JSON value: model instances are written with their wire
 * names (`baseName`), Dates as RFC 3339 (whole seconds when there is no fraction, as the API
 * server writes them), undefined members are dropped; plain objects keep their keys.
 */
export function toPlainJson(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return value.toISOString().replace('.000Z', 'Z');
  if (Array.isArray(value)) return value.map(toPlainJson);
  const out: Record<string, unknown> = {};
  const model = (value.constructor as Partial<ModelClass> | undefined)?.getAttributeTypeMap;
  if (typeof model === 'function') {
    const attrs = (value.constructor as unknown as ModelClass).getAttributeTypeMap();
    const renamed = new Set(attrs.map((a) => a.name));
    for (const a of attrs) {
      const v = (value as Record<string, unknown>)[a.name];
      if (v !== undefined) out[a.baseName] = toPlainJson(v);
    }
    // Members the model does not declare (none today) are kept as they are.
    for (const [k, v] of Object.entries(value)) if (!renamed.has(k) && v !== undefined) out[k] = toPlainJson(v);
    return out;
  }
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toPlainJson(v);
  return out;
}

export interface NormalizeOptions {
  /**
   * The kind, for objects that lack `kind` (items of a client-node list call): `ResourceSlice`,
   * `DeviceClass`, `ResourceClaim`, `ResourceClaimTemplate`, `Node`, `Pod`, `Namespace`,
   * `DeviceTaintRule`. The apiVersion, when missing, is the kind's (`resource.k8s.io/v1`, `v1`).
   */
  kind?: string;
  /** Names the object in error messages (default `<object>`). */
  source?: string;
}

/**
 * The object as dralloc reads it, checked the way files are (`decode`). Throws InputError
 * naming the source, kind, object, field path and reason — also for kinds dralloc does not
 * read, instead of dropping them.
 */
export function normalize(obj: unknown, opts: NormalizeOptions = {}): DraObject {
  const json = toPlainJson(obj);
  const source = opts.source ?? '<object>';
  if (json !== null && typeof json === 'object' && !Array.isArray(json)) {
    const o = json as Record<string, unknown>;
    const kind = o.kind ?? opts.kind;
    if (typeof kind === 'string') {
      if (defaultApiVersion(kind) === undefined) throw new InputError(`${source}: kind ${kind} is not one dralloc reads`);
      o.kind = kind;
      o.apiVersion ??= defaultApiVersion(kind);
    }
  }
  const warnings: string[] = [];
  const decoded = decodeObject(json, { file: source, doc: 0 }, warnings);
  if (!decoded) throw new InputError(warnings[0] ?? `${source}: not an object dralloc reads`);
  return decoded;
}
