/**
 * Turning what client-node hands out into the plain v1 JSON dralloc decodes. Lists come back as
 * client-node's model classes (fields renamed where they clash with JS: `int` is `_int`,
 * `default` is `_default`; timestamps are `Date`s); watch events are plain JSON. Both shapes
 * normalise to the same JSON, which then goes through `decodeObject` like a file would.
 */

import { decodeObject } from '../model/decode.js';
import type { DraObject } from '../model/types.js';
import type { LiveKind } from './resources.js';

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

/**
 * One object from the cluster as a decoded DraObject: normalised, with the apiVersion and kind
 * list items lack filled in, then checked by decodeObject (errors name the collection path).
 */
export function decodeLive(raw: unknown, kind: LiveKind, index = 0): DraObject {
  const json = toPlainJson(raw) as Record<string, unknown>;
  const warnings: string[] = [];
  const decoded = decodeObject({ ...json, apiVersion: kind.apiVersion, kind: kind.kind }, { file: `${kind.path}`, doc: index }, warnings);
  return decoded!; // every LiveKind is a kind decodeObject reads
}
