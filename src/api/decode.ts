/**
 * Whole texts and files as the objects the engine reads, with the errors and warnings of the
 * CLI's `-f` (model/load.ts), as plain objects rather than the CLI's (object, origin) pairs.
 */

import { loadPaths, loadText } from '../model/load.js';
import type { DraObject } from '../model/types.js';
import type { AsyncOptions } from '../util/steps.js';

export interface Decoded {
  /** Objects of the kinds dralloc reads, in input order (List items in place). */
  objects: DraObject[];
  /** Kinds skipped, YAML warnings. */
  warnings: string[];
}

/** Decodes one YAML (multi-document) or JSON text, as if read from `file`. Throws InputError. */
export function decode(text: string, file = '<text>'): Decoded {
  const { objects, warnings } = loadText(text, file);
  return { objects: objects.map((l) => l.object), warnings };
}

/** Decodes files, folders (every *.yaml, *.yml, *.json below, sorted) and `-` (`opts.stdin`), as `dralloc -f` does. Throws InputError. */
export async function decodeFiles(paths: string[], opts: { stdin?: string } & AsyncOptions = {}): Promise<Decoded> {
  const { objects, warnings } = await loadPaths(paths, opts);
  return { objects: objects.map((l) => l.object), warnings };
}
