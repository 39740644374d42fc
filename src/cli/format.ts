/** Output formatting for the CLI: YAML (humans, default) or JSON (machines). */

import { yaml } from '../model/yaml.js';

export type OutputFormat = 'yaml' | 'json';

export function formatObject(obj: unknown, format: OutputFormat): string {
  return format === 'json' ? stringifyJson(obj) + '\n' : stringifyYaml(obj);
}

/** JSON.stringify with a 2-space indent; bigints become numbers when exact, else decimal strings. */
function stringifyJson(value: unknown): string {
  try {
    // Without a replacer V8 takes its fast path (several times faster); it throws on a bigint.
    return JSON.stringify(value, null, 2);
  } catch (e) {
    if (!(e instanceof TypeError)) throw e;
    return JSON.stringify(value, bigintReplacer, 2);
  }
}

function stringifyYaml(value: unknown): string {
  return yaml().stringify(value, { aliasDuplicateObjects: false });
}

function bigintReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? (Number.isSafeInteger(Number(value)) ? Number(value) : value.toString()) : value;
}

/** A `v1 List` of the given items. */
export function list(items: unknown[]): { apiVersion: 'v1'; kind: 'List'; metadata: object; items: unknown[] } {
  return { apiVersion: 'v1', kind: 'List', metadata: {}, items };
}

/** Items per piece of listPieces: a few hundred kB of text, so no piece is large. */
const ITEMS_PER_PIECE = 256;

/**
 * `formatObject(list(items), format)` in pieces, formatted one at a time as they are asked for:
 * joined, they are that text byte for byte, but neither the whole text nor (for YAML) the
 * whole document tree is ever held at once. Each piece is the formatted `{items: slice}` minus
 * its first line(s) and closing; an item's text does not depend on its neighbours (no aliases),
 * only on its depth, which is the same there as in the List.
 */
export function* listPieces(items: readonly unknown[], format: OutputFormat): Generator<string> {
  if (items.length === 0) {
    yield formatObject(list([]), format);
    return;
  }
  // The List around its items: the text of a List whose only item is the marker 0, split there.
  const marker = format === 'json' ? '    0' : '  - 0\n';
  const [head, tail] = formatObject(list([0]), format).split(marker);
  const [sliceHead, sliceTail] = formatObject({ items: [0] }, format).split(marker);
  yield head;
  for (let i = 0; i < items.length; i += ITEMS_PER_PIECE) {
    const text = formatObject({ items: items.slice(i, i + ITEMS_PER_PIECE) }, format);
    const body = text.slice(sliceHead.length, text.length - sliceTail.length);
    yield i === 0 || format === 'yaml' ? body : `,\n${body}`;
  }
  yield tail;
}
