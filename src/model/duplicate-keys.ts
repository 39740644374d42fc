/**
 * Duplicate keys: the API server's strict decoding rejects an object with a key given twice
 * (`strict decoding error: duplicate field "metadata.name"`); so do `allocate` (and every
 * command that loads files) and `lint`, with the same text, instead of silently keeping the
 * last value. JSON texts are checked before parsing (json-scan.ts); the YAML parser finds them in
 * YAML (and names the field of a JSON duplicate, whose text is handed to it).
 */
import type { Document, YAMLError } from 'yaml';
import { yaml } from './yaml.js';

/**
 * For a YAML parser error about a duplicate key: upstream's text naming the field's path
 * (`spec.devices[0].name`, keys joined by dots, list indexes in brackets); undefined for any other error.
 */
export function duplicateField(doc: Document.Parsed, e: YAMLError): string | undefined {
  if (e.code !== 'DUPLICATE_KEY') return undefined;
  const path = pathOfKeyAt(doc.contents, e.pos[0], '');
  return `strict decoding error: duplicate field "${path ?? '?'}"`;
}

/** The path of the map key that starts at `offset` below `node` (depth-first). */
function pathOfKeyAt(node: unknown, offset: number, prefix: string): string | undefined {
  const { isMap, isScalar, isSeq } = yaml();
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : '?';
      const path = prefix ? `${prefix}.${key}` : key;
      if (isScalar(pair.key) && pair.key.range?.[0] === offset) return path;
      const below = pathOfKeyAt(pair.value, offset, path);
      if (below !== undefined) return below;
    }
  } else if (isSeq(node)) {
    for (let i = 0; i < node.items.length; i++) {
      const below = pathOfKeyAt(node.items[i], offset, `${prefix}[${i}]`);
      if (below !== undefined) return below;
    }
  }
  return undefined;
}
