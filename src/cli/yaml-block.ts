/**
 * Block-style YAML of JSON-like data, byte for byte what `yaml.stringify(value,
 * { aliasDuplicateObjects: false })` writes, without building the yaml package's node tree
 * (which made `schedule -o yaml` of gpu-5k spend ~9 s in formatting, a third of it in GC).
 *
 * The layout of maps and sequences is the package's block layout with its default options
 * (its stringifyCollection and stringifyPair: indent 2, sequences indented under their key, a
 * map's first pair on its `- ` line, empty collections as `{}` and `[]`, undefined map values
 * left out). Every scalar is written by the package's own stringifiers (yaml/util: stringTag,
 * stringifyNumber) in the context the package would give it, so quoting, folding at 80 columns
 * and block scalars are the package's. Values outside that — anything but plain objects,
 * arrays, strings, numbers, bigints, booleans and null; a string the package writes as a `|+`
 * block (it changes the layout after it); a key longer than 1024 characters — throw
 * NotPlainYaml, and the caller writes that value with the package instead.
 * test/cli/yaml-block.test.ts compares the two.
 */

import { createRequire } from 'node:module';
import { yaml } from '../model/yaml.js';

type Util = typeof import('yaml/util');

/** A value this writer does not cover; the package writes it. */
export class NotPlainYaml extends Error {}
const notPlain = new NotPlainYaml('not plain JSON-like data');

/** The package's scalar writers and the context fields they read, made on first use. */
interface Writers {
  util: Util;
  doc: unknown;
  options: Record<string, unknown>;
}
let writers: Writers | undefined;

function load(): Writers {
  return (writers ??= {
    util: createRequire(import.meta.url)('yaml/util') as Util,
    doc: new (yaml().Document)(),
    // createStringifyContext's defaults (yaml 2.x), which yaml.stringify uses when given no other.
    options: {
      aliasDuplicateObjects: false,
      blockQuote: true,
      defaultKeyType: null,
      defaultStringType: 'PLAIN',
      directives: null,
      doubleQuotedAsJSON: false,
      doubleQuotedMinMultiLineLength: 40,
      falseStr: 'false',
      flowCollectionPadding: true,
      indentSeq: true,
      lineWidth: 80,
      minContentWidth: 20,
      nullStr: 'null',
      simpleKeys: false,
      singleQuote: null,
      trailingComma: false,
      trueStr: 'true',
      verifyAliasOrder: true,
    },
  });
}

/**
 * The text of `item` as an entry of a sequence that is the value of a top-level key (like a
 * List's `items:`): `  - ` and the item, ending in a newline.
 */
export function topLevelSeqEntry(item: unknown): string {
  return `  - ${valueText(item, '    ')}\n`;
}

/** A value in a sequence entry (or the document), whose context indent is `indent`. */
function valueText(v: unknown, indent: string): string {
  return isCollection(v) ? collectionText(v, indent) : scalarText(v, indent, false, undefined);
}

function isCollection(v: unknown): v is object {
  if (v === null || typeof v !== 'object') return false;
  if (Array.isArray(v)) return true;
  const proto = Object.getPrototypeOf(v) as unknown;
  if ((proto !== Object.prototype && proto !== null) || typeof (v as { toJSON?: unknown }).toJSON === 'function') throw notPlain;
  return true;
}

/** A map or sequence whose context indent is `indent`: its lines after the first start with `indent`. */
function collectionText(v: object, indent: string): string {
  return Array.isArray(v) ? seqText(v, indent) : mapText(v as Record<string, unknown>, indent);
}

function seqText(items: unknown[], indent: string): string {
  if (items.length === 0) return '[]';
  const itemIndent = indent + '  ';
  let out = '';
  for (let i = 0; i < items.length; i++) {
    const it = items[i];
    if (it === undefined) throw notPlain; // the package writes a null node for it; JSON writes null: not worth the case
    out += (i === 0 ? '- ' : `\n${indent}- `) + valueText(it, itemIndent);
  }
  return out;
}

function mapText(obj: Record<string, unknown>, indent: string): string {
  const pairIndent = indent + '  ';
  let out = '';
  let first = true;
  for (const key of Object.keys(obj)) {
    const v = obj[key];
    if (v === undefined) continue;
    const k = scalarText(key, pairIndent, true, undefined);
    if (k.length > 1024) throw notPlain; // the package writes an explicit `? key` then
    let pair = `${k}:`;
    if (isCollection(v)) {
      const text = collectionText(v, pairIndent);
      pair += text === '{}' || text === '[]' ? ` ${text}` : `\n${pairIndent}${text}`;
    } else {
      const text = scalarText(v, pairIndent, false, pair.length + 1);
      pair += text === '' || text[0] === '\n' ? text : ` ${text}`;
    }
    out += first ? pair : `\n${indent}${pair}`;
    first = false;
  }
  return first ? '{}' : out;
}

/**
 * Strings already written, per context (implicitKey, indent, indentAtStart: all a string's
 * text depends on besides itself). Names, kinds and CEL expressions repeat across thousands of
 * objects. Bounded: a context's table is dropped when full.
 */
const written = new Map<number, Map<string, string>>();
const MAX_WRITTEN = 50_000;
const MAX_CACHED_LENGTH = 512;

function scalarText(v: unknown, indent: string, implicitKey: boolean, indentAtStart: number | undefined): string {
  switch (typeof v) {
    case 'string':
      return stringText(v, indent, implicitKey, indentAtStart);
    case 'number':
    case 'bigint':
      return load().util.stringifyNumber({ value: v } as never);
    case 'boolean':
      return v ? 'true' : 'false';
    default:
      if (v === null) return 'null';
      throw notPlain;
  }
}

function stringText(s: string, indent: string, implicitKey: boolean, indentAtStart: number | undefined): string {
  const context = ((indentAtStart ?? 0) * 4096 + indent.length) * 2 + (implicitKey ? 1 : 0);
  let table = written.get(context);
  const known = table?.get(s);
  if (known !== undefined) return known;
  const { util, doc, options } = load();
  const ctx = { anchors: new Set(), doc, flowCollectionPadding: ' ', indent, indentStep: '  ', inFlow: null, options, implicitKey, indentAtStart };
  const text = util.stringTag.stringify!({ value: s } as never, ctx as never, undefined, () => {
    throw notPlain; // a kept final newline (`|+`): the package then changes what follows
  });
  if (s.length <= MAX_CACHED_LENGTH) {
    if (!table || table.size >= MAX_WRITTEN) written.set(context, (table = new Map()));
    table.set(s, text);
  }
  return text;
}
