/** Output formatting for the CLI: YAML (humans, default) or JSON (machines). */

import { yaml } from '../model/yaml.js';
import { NotPlainYaml, topLevelSeqEntry } from './yaml-block.js';

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
 * whole document tree is ever held at once. A piece is the text of some items as it stands in
 * the List: the formatted `{items: slice}` minus its first line(s) and closing (an item's text
 * depends on its depth, the same there, and not on its neighbours: there are no aliases); YAML
 * items are written by yaml-block.ts where it covers them.
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
  const itemsText = (slice: unknown[]) => {
    const text = formatObject({ items: slice }, format);
    return text.slice(sliceHead.length, text.length - sliceTail.length);
  };
  const yamlEntry = (item: unknown) => {
    try {
      return topLevelSeqEntry(item);
    } catch (e) {
      if (!(e instanceof NotPlainYaml)) throw e;
      return itemsText([item]);
    }
  };
  yield head;
  for (let i = 0; i < items.length; i += ITEMS_PER_PIECE) {
    const slice = items.slice(i, i + ITEMS_PER_PIECE);
    if (format === 'yaml') yield slice.map(yamlEntry).join('');
    else yield i === 0 ? itemsText(slice) : `,\n${itemsText(slice)}`;
  }
  yield tail;
}
