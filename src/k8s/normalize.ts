/**
 * What client-node hands out, as decoded DraObjects. Lists come back as client-node's model
 * classes, watch events as plain JSON; both go through the public `normalize` (model/normalize.ts),
 * the one implementation of turning API-client objects into what the engine reads.
 */

import { decodeObject } from '../model/decode.js';
import { toPlainJson } from '../model/normalize.js';
import type { DraObject } from '../model/types.js';
import type { LiveKind } from './resources.js';

export { toPlainJson } from '../model/normalize.js';

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
