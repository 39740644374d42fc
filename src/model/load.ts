/**
 * Loading: files, folders and stdin → the ordered list of decoded objects dralloc works on.
 * Objects stay a list in input order (never deduplicated by name; upstream passes plain lists).
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { YAMLError } from 'yaml';
import { yaml } from './yaml.js';
import { splitJsonList } from './json-list.js';
import { drain, drainSliced, TimeSlicer, type AsyncOptions } from '../util/steps.js';
import { decodeObject, jsonType } from './decode.js';
import { InputError, originText } from './errors.js';
import type { DraObject, Origin } from './types.js';

export interface Loaded {
  object: DraObject;
  origin: Origin;
}
export interface LoadResult {
  objects: Loaded[];
  warnings: string[];
}

/** The name `-` stands for in origins and messages. */
export const STDIN_NAME = '<stdin>';
const EXTENSIONS = ['.yaml', '.yml', '.json'];

/**
 * Loads `paths` in the order given: files, folders or `-` (the text in `opts.stdin`). A folder
 * contributes every `*.yaml`, `*.yml` and `*.json` file below it, recursively, sorted by relative
 * path (plain string order). Throws InputError for unreadable paths and bad content. Decoding
 * yields to the event loop between slices of objects (`opts.sliceMs`) and stops when
 * `opts.signal` aborts; parsing one text is a single step, except a large JSON List (item by item).
 */
export async function loadPaths(paths: string[], opts: { stdin?: string } & AsyncOptions = {}): Promise<LoadResult> {
  const result: LoadResult = { objects: [], warnings: [] };
  const slicer = new TimeSlicer(opts);
  for (const path of paths) {
    if (path === '-') {
      if (opts.stdin === undefined) throw new InputError('-: no standard input was given');
      await drainSliced(textSteps(opts.stdin, STDIN_NAME, result), slicer);
      continue;
    }
    for (const file of await filesOf(path, result.warnings)) {
      // Read as bytes and decode in one go: readFile's own 'utf8' decoding goes chunk by chunk.
      const bytes = await readFile(file).catch((e: unknown) => {
        throw new InputError(`${file}: ${fsReason(e)}`);
      });
      await slicer.tick();
      await drainSliced(textSteps(bytes.toString('utf8'), file, result), slicer);
    }
  }
  return result;
}

/**
 * Parses one text that came from `file`: YAML, possibly multi-document (`---`), or JSON (a YAML
 * subset; big integers are read exactly, not rounded). Empty and comment-only documents are
 * skipped; a `kind: List` document (any apiVersion) contributes its `items` in order, each with
 * `origin.item` set. Throws InputError on syntax errors (with line and column) and on objects
 * `decodeObject` refuses. The objects and warnings are appended to `into` (default: a new result).
 */
export function loadText(text: string, file: string, into: LoadResult = { objects: [], warnings: [] }): LoadResult {
  drain(textSteps(text, file, into));
  return into;
}

/** `loadText` into `into`, yielding after the parse and after every 100 objects decoded. */
function* textSteps(text: string, file: string, into: LoadResult): Generator<void, void> {
  const large = yield* parseLargeList(text);
  const { values, fromJson } = large ? { values: large, fromJson: true } : documents(text, file, into.warnings);
  yield;
  const add = (raw: unknown, origin: Origin) => {
    const object = decodeObject(raw, origin, into.warnings, { reuse: fromJson });
    if (object) into.objects.push({ object, origin });
  };
  let n = 0;
  for (const [doc, value] of values.entries()) {
    if (value === null || value === undefined) continue;
    const items = listItems(value, { file, doc });
    if (items === undefined) add(value, { file, doc });
    else {
      for (const [i, item] of items.entries()) {
        add(item, { file, doc, item: i });
        if (++n % 100 === 0) yield;
      }
    }
    if (++n % 100 === 0) yield;
  }
}

/** JSON texts at least this long that are a `kind: List` are parsed item by item (json-list.ts). */
const SPLIT_MIN = 1 << 20;

/**
 * A large JSON List parsed item by item (a step per 100 items): the one document `JSON.parse` of
 * the whole text would give, or undefined when the text is not such a List or an item is not
 * valid JSON (then `documents` reads it whole, and the YAML parser names an error's line).
 */
function* parseLargeList(text: string): Generator<void, unknown[] | undefined> {
  if (text.length < SPLIT_MIN || /\d{16}/.test(text)) return undefined; // see parseExactJson
  const split = splitJsonList(text);
  if (!split) return undefined;
  const items: unknown[] = [];
  for (const item of split.items) {
    try {
      items.push(JSON.parse(item));
    } catch {
      return undefined;
    }
    if (items.length % 100 === 0) yield;
  }
  return [{ ...split.head, items }];
}

/**
 * The documents of `text` as plain JS values (`null` for empty ones), in order; `fromJson` when
 * JSON.parse made them (then no two parts of them are the same object, unlike YAML aliases).
 */
function documents(text: string, file: string, warnings: string[]): { values: unknown[]; fromJson: boolean } {
  const json = parseExactJson(text);
  if (json !== undefined) return { values: [json], fromJson: true };
  const values = yaml().parseAllDocuments(text, { intAsBigInt: true }).map((doc, index) => {
    if (doc.errors.length > 0) throw new InputError(yamlMessage(file, doc.errors[0], 'syntax error: '));
    for (const warning of doc.warnings) warnings.push(yamlMessage(file, warning));
    try {
      return doc.toJS({ reviver: safeIntegersAsNumbers });
    } catch (e) {
      throw new InputError(`${originText({ file, doc: index })}: ${(e as Error).message}`);
    }
  });
  return { values, fromJson: false };
}

/**
 * Fast path (the YAML parser is ~100x slower than JSON.parse): `text` as one JSON value when it
 * parses and has no digit run long enough to be an integer a double cannot hold exactly;
 * otherwise undefined and the YAML parser, which reads JSON too, takes over.
 */
function parseExactJson(text: string): unknown {
  if (!/^\s*[{[]/.test(text) || /\d{16}/.test(text)) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The items of a `kind: List` document (`null`/absent = none), or undefined for any other value. */
export function listItems(value: unknown, origin: Origin): unknown[] | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const { kind, items } = value as { kind?: unknown; items?: unknown };
  if (kind !== 'List') return undefined;
  if (items === undefined || items === null) return [];
  if (!Array.isArray(items)) {
    throw new InputError(`${originText(origin)} (List): items: expected an array, got ${jsonType(items)}`);
  }
  return items;
}

const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** YAML integers are read as bigints; those a JS number holds exactly become numbers. */
export function safeIntegersAsNumbers(_key: unknown, value: unknown): unknown {
  return typeof value === 'bigint' && value >= MIN_SAFE && value <= MAX_SAFE ? Number(value) : value;
}

/** `file: line L, column C: <what><the parser's reason>` (without the excerpt yaml appends). */
function yamlMessage(file: string, e: YAMLError, what = ''): string {
  const reason = e.message.replace(/ at line \d+, column \d+:[\s\S]*$/, '');
  const at = e.linePos?.[0];
  return `${file}: ${at ? `line ${at.line}, column ${at.col}: ` : ''}${what}${reason}`;
}

/** The files `path` stands for: itself, or for a folder the matching files below it, sorted. */
export async function filesOf(path: string, warnings: string[]): Promise<string[]> {
  const info = await stat(path).catch((e: unknown) => {
    throw new InputError(`${path}: ${fsReason(e)}`);
  });
  if (!info.isDirectory()) return [path];
  const below = (await readdir(path, { recursive: true })).filter((rel) => EXTENSIONS.some((ext) => rel.endsWith(ext)));
  const files: string[] = [];
  for (const rel of below.sort()) {
    const file = join(path, rel);
    if ((await stat(file)).isFile()) files.push(file);
  }
  if (files.length === 0) warnings.push(`${path}: no ${EXTENSIONS.map((e) => `*${e}`).join(', ')} files found`);
  return files;
}

function fsReason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  return err.code === 'ENOENT' ? 'no such file or directory' : err.message;
}
