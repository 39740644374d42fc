/**
 * Loading: files, folders and stdin → the ordered list of decoded objects dralloc works on.
 * Objects stay a list in input order (never deduplicated by name; upstream passes plain lists).
 */
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { isAscii, isUtf8 } from 'node:buffer';
import type { LineCounter, YAMLError } from 'yaml';
import { yaml } from './yaml.js';
import { keyCount, looksLikeJson, scannedList, scanSteps } from './json-scan.js';
import { drain, drainSliced, TimeSlicer, type AsyncOptions } from '../util/steps.js';
import { decodeObject, jsonType } from './decode.js';
import { duplicateField } from './duplicate-keys.js';
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
 * path (plain string order). Throws InputError for unreadable paths and bad content. Works in
 * steps (see `contentSteps`) and yields to the event loop between slices of them
 * (`opts.sliceMs`); stops when `opts.signal` aborts.
 */
export async function loadPaths(paths: string[], opts: { stdin?: string } & AsyncOptions = {}): Promise<LoadResult> {
  const result: LoadResult = { objects: [], warnings: [] };
  const slicer = new TimeSlicer(opts);
  for (const path of paths) {
    if (path === '-') {
      if (opts.stdin === undefined) throw new InputError('-: no standard input was given');
      await drainSliced(contentSteps(opts.stdin, STDIN_NAME, result), slicer);
      continue;
    }
    const files = await filesOf(path, result.warnings);
    // The next file is read while this one is decoded; its errors surface in file order.
    let next = files.length > 0 ? readBytes(files[0]) : undefined;
    for (let k = 0; k < files.length; k++) {
      const bytes = await next!;
      next = k + 1 < files.length ? readBytes(files[k + 1]) : undefined;
      await slicer.tick();
      await drainSliced(contentSteps(bytes, files[k], result), slicer);
    }
  }
  return result;
}

/** The file's bytes; a rejection is InputError and counts as handled until awaited. */
function readBytes(file: string): Promise<Buffer> {
  const bytes = readFile(file).catch((e: unknown) => {
    throw new InputError(`${file}: ${fsReason(e)}`);
  });
  bytes.catch(() => undefined);
  return bytes;
}

/**
 * Parses one text that came from `file`: YAML, possibly multi-document (`---`), or JSON (a YAML
 * subset; big integers are read exactly, not rounded). Empty and comment-only documents are
 * skipped; a `kind: List` document (any apiVersion) contributes its `items` in order, each with
 * `origin.item` set. Throws InputError on syntax errors (with line and column), on a key given
 * twice in one object, and on objects `decodeObject` refuses. The objects and warnings are
 * appended to `into` (default: a new result).
 */
export function loadText(text: string, file: string, into: LoadResult = { objects: [], warnings: [] }): LoadResult {
  drain(contentSteps(text, file, into));
  return into;
}

/** Bytes of JSON text scanned per step (json-scan.ts); a few milliseconds. */
const SCAN_STEP = 1 << 20;
/** List items parsed, and objects decoded, per step. */
const OBJECTS_PER_STEP = 100;

/**
 * `loadText` of a file's content (text or bytes) into `into`, in steps: JSON is scanned a
 * megabyte per step, then a `kind: List`'s items are decoded from bytes and parsed a hundred per
 * step; other JSON is one `JSON.parse` (one step), YAML one step per document; then objects are
 * checked a hundred per step.
 */
function* contentSteps(content: string | Buffer, file: string, into: LoadResult): Generator<void, void> {
  const bytes = jsonBytes(content);
  const json = bytes ? yield* jsonValues(bytes) : undefined;
  const text = () => (typeof content === 'string' ? content : content.toString('utf8'));
  const values = json ?? (yield* yamlValues(text(), file, into.warnings));
  yield;
  const add = (raw: unknown, origin: Origin) => {
    const object = decodeObject(raw, origin, into.warnings, { reuse: json !== undefined });
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
        if (++n % OBJECTS_PER_STEP === 0) yield;
      }
    }
    if (++n % OBJECTS_PER_STEP === 0) yield;
  }
}

/**
 * The content as UTF-8 bytes when it may be JSON, else undefined. Bytes that are not valid UTF-8
 * are first decoded as text (each bad sequence becomes U+FFFD) as the YAML path would read them;
 * a string with a lone surrogate has no UTF-8 form and goes to the YAML parser as it is.
 */
function jsonBytes(content: string | Buffer): Buffer | undefined {
  if (!looksLikeJson(content)) return undefined;
  // isAscii first: isUtf8 takes tens of milliseconds on a freshly read 10 MB buffer (Node 20).
  if (typeof content !== 'string') return isAscii(content) || isUtf8(content) ? content : jsonBytes(content.toString('utf8'));
  return (content as string & { isWellFormed(): boolean }).isWellFormed() ? Buffer.from(content, 'utf8') : undefined;
}

/**
 * Fast path (the YAML parser is ~100x slower than JSON.parse): the JSON text in `bytes` as its one
 * document, when it parses, has no number too long for a double to hold exactly and no key twice
 * in an object; otherwise undefined and the YAML parser, which reads JSON too, takes over (and
 * names the duplicate field or the syntax error's line). A `kind: List` is parsed item by item.
 */
function* jsonValues(bytes: Buffer): Generator<void, unknown[] | undefined> {
  const scan = yield* scanSteps(bytes, SCAN_STEP);
  if (scan.duplicate || scan.longNumber) return undefined;
  let value: unknown;
  let keys = 0;
  try {
    const list = yield* scannedList(scan, OBJECTS_PER_STEP);
    if (list) {
      if (scan.escapedKey) keys = keyCount(list.head) + keyCount(list.items);
      value = Object.assign(list.head, { items: list.items }); // `items` keeps its place in the head's key order
    } else {
      value = JSON.parse(bytes.toString('utf8'));
      if (scan.escapedKey) keys = keyCount(value);
    }
  } catch {
    return undefined;
  }
  // Keys spelled with escapes are compared by count: the parsed value lost one if some repeated.
  if (scan.escapedKey && keys !== scan.keys) return undefined;
  return [value];
}

/**
 * The documents of a YAML text as plain JS values (`null` for empty ones), in order, one step per
 * document; a document with an error throws InputError (the first in text order).
 */
function* yamlValues(text: string, file: string, warnings: string[]): Generator<void, unknown[]> {
  const { Composer, LineCounter, Parser } = yaml();
  const lines = new LineCounter();
  const composer = new Composer({ intAsBigInt: true });
  const values: unknown[] = [];
  for (const doc of composer.compose(new Parser(lines.addNewLine).parse(text))) {
    if (doc.errors.length > 0) {
      const e = doc.errors[0];
      const duplicate = duplicateField(doc, e);
      throw new InputError(duplicate ? yamlMessage(file, lines, e, duplicate, true) : yamlMessage(file, lines, e, 'syntax error: '));
    }
    for (const warning of doc.warnings) warnings.push(yamlMessage(file, lines, warning));
    try {
      values.push(doc.toJS({ reviver: safeIntegersAsNumbers }));
    } catch (e) {
      throw new InputError(`${originText({ file, doc: values.length })}: ${(e as Error).message}`);
    }
    yield;
  }
  return values;
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

/** `file: line L, column C: <what><the parser's reason>`, or `<what>` alone. */
function yamlMessage(file: string, lines: LineCounter, e: YAMLError, what = '', whatAlone = false): string {
  const at = e.pos[0] === -1 ? undefined : lines.linePos(e.pos[0]);
  const reason = whatAlone ? '' : e.message;
  return `${file}: ${at ? `line ${at.line}, column ${at.col}: ` : ''}${what}${reason}`;
}

/**
 * The files `path` stands for: itself, or for a folder the matching files below it, sorted by
 * relative path. Symbolic links to folders that lead back into the folder (a cycle such as
 * `loop -> .`, or a second way to the same files) are not followed, with a warning; links to
 * folders outside are followed once each.
 */
export async function filesOf(path: string, warnings: string[]): Promise<string[]> {
  const info = await stat(path).catch((e: unknown) => {
    throw new InputError(`${path}: ${fsReason(e)}`);
  });
  if (!info.isDirectory()) return [path];
  const root = await realpath(path);
  const below: string[] = [];
  await walk(path, '', root, new Set([root]), below, warnings);
  const files = below.filter((rel) => EXTENSIONS.some((ext) => rel.endsWith(ext))).sort().map((rel) => join(path, rel));
  if (files.length === 0) warnings.push(`${path}: no ${EXTENSIONS.map((e) => `*${e}`).join(', ')} files found`);
  return files;
}

/** Collects the files below `dir` (relative to the walk's start) into `out`; `seen`: real paths of folders entered. */
async function walk(dir: string, rel: string, root: string, seen: Set<string>, out: string[], warnings: string[]): Promise<void> {
  const entries = await readdir(join(dir, rel), { withFileTypes: true }).catch((e: unknown) => {
    throw new InputError(`${join(dir, rel)}: cannot read the folder: ${fsReason(e)}`);
  });
  for (const entry of entries) {
    const name = rel ? join(rel, entry.name) : entry.name;
    if (entry.isFile()) out.push(name);
    else if (entry.isDirectory()) await walk(dir, name, root, seen, out, warnings);
    else if (entry.isSymbolicLink()) {
      const target = await stat(join(dir, name)).catch(() => undefined); // a dangling link: nothing to read
      if (target?.isFile()) out.push(name);
      if (!target?.isDirectory()) continue;
      const real = await realpath(join(dir, name));
      if (seen.has(real) || real === root || real.startsWith(root + sep)) {
        warnings.push(`${join(dir, name)}: not following the symbolic link to ${real}: it leads back into ${dir} (a cycle, or the same files twice)`);
        continue;
      }
      seen.add(real);
      await walk(dir, name, root, seen, out, warnings);
    }
  }
}

function fsReason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err.code === 'ENOENT') return 'no such file or directory';
  if (err.code === 'EACCES' || err.code === 'EPERM') return 'permission denied';
  return err.message;
}
