/**
 * Duplicate keys: the API server's strict decoding rejects an object with a key given twice
 * (`strict decoding error: duplicate field "metadata.name"`); so do `allocate` (and every
 * command that loads files) and `lint`, with the same text, instead of silently keeping the
 * last value.
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

/**
 * Whether JSON.parse's `value` has every key of `text`: JSON.parse keeps the last of duplicate
 * keys without a word. Counted cheaply: key ends (`":`) in the text against keys in the value.
 * Any difference (a duplicate — or a string holding `":`, or a space before a colon) sends the
 * text to the YAML parser, which checks exactly.
 */
export function jsonKeysAllKept(text: string, value: unknown): boolean {
  let marks = 0;
  for (let i = text.indexOf('":'); i !== -1; i = text.indexOf('":', i + 2)) marks++;
  return marks === keyCount(value);
}

function keyCount(v: unknown): number {
  if (typeof v !== 'object' || v === null) return 0;
  let n = 0;
  if (Array.isArray(v)) {
    for (const e of v) n += keyCount(e);
  } else {
    for (const k in v) n += 1 + keyCount((v as Record<string, unknown>)[k]);
  }
  return n;
}
