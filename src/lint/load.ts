/**
 * Loading for lint: like `loadPaths`, but it never stops at the first bad document. Every
 * document is kept with its raw value (what the API server would receive), its origin and
 * start line, and — when dralloc can decode it — the decoded object; a syntax error or a
 * decode error becomes a finding of that document. Only unreadable paths throw (InputError).
 */

import { readFile } from 'node:fs/promises';
import { parseAllDocuments, parseDocument, isMap, isScalar, isSeq } from 'yaml';
import { decodeObject } from '../model/decode.js';
import { InputError } from '../model/errors.js';
import { duplicateField } from '../model/duplicate-keys.js';
import { filesOf, listItems, safeIntegersAsNumbers, STDIN_NAME } from '../model/load.js';
import { looksLikeJson, scannedList, scanSteps, type ScannedList } from '../model/json-scan.js';
import { drain } from '../util/steps.js';
import type { DraObject, Origin } from '../model/types.js';
import type { Finding } from './types.js';

export interface LintDoc {
  raw: unknown;
  origin: Origin;
  /** 1-based line where the document (or List item) starts. */
  line: number;
  /**
   * The line of a field path (`spec.devices[3].name`, as findings name fields): where its key
   * (or list item) is written; for a field that is absent, its deepest parent that is present.
   */
  lineOf(path: string): number;
  /** `Kind name`, `Kind ns/name` or `document N`. */
  label: string;
  object?: DraObject;
  /** Why decoding failed (the decoder's message, after the origin). */
  decodeError?: string;
}

export interface LintInput {
  docs: LintDoc[];
  /** Findings about the files themselves (syntax errors). */
  findings: Finding[];
}

export async function lintLoad(paths: string[], stdin?: string): Promise<LintInput> {
  const input: LintInput = { docs: [], findings: [] };
  for (const path of paths) {
    if (path === '-') {
      if (stdin === undefined) throw new InputError('-: no standard input was given');
      lintText(stdin, STDIN_NAME, input);
      continue;
    }
    const warnings: string[] = [];
    for (const file of await filesOf(path, warnings)) {
      const text = await readFile(file, 'utf8').catch((e: unknown) => {
        throw new InputError(`${file}: ${(e as Error).message}`);
      });
      lintText(text, file, input);
    }
  }
  return input;
}

/**
 * Adds the documents of one text to `input` (exported for tests and fuzzing). A JSON List (what
 * `dralloc gen` and `kubectl get -o json` write) takes a fast path unless `opts.yaml` is set (tests
 * compare the two): the YAML parser, ~100× slower than JSON.parse, then reads only the items a
 * finding needs a line of.
 */
export function lintText(text: string, file: string, input: LintInput, opts: { yaml?: boolean } = {}): void {
  if (!opts.yaml && lintJsonList(text, file, input)) return;
  const lineOf = lineIndex(text);
  parseAllDocuments(text, { intAsBigInt: true }).forEach((doc, index) => {
    const line = lineOf(doc.range?.[0] ?? 0);
    const origin: Origin = { file, doc: index };
    if (doc.errors.length > 0) {
      const e = doc.errors[0];
      const at = e.linePos?.[0];
      const reason = e.message.replace(/ at line \d+, column \d+:[\s\S]*$/, '');
      const message = duplicateField(doc, e) ?? `YAML syntax error: ${reason}`;
      input.findings.push({ severity: 'error', rule: 'syntax', file, line: at?.line ?? line, object: `document ${index + 1}`, path: '', message });
      return;
    }
    let value: unknown;
    try {
      value = doc.toJS({ reviver: safeIntegersAsNumbers, maxAliasCount: 100 });
    } catch (e) {
      input.findings.push({ severity: 'error', rule: 'syntax', file, line, object: `document ${index + 1}`, path: '', message: (e as Error).message });
      return;
    }
    if (value === null || value === undefined) return;
    let items: unknown[] | undefined;
    try {
      items = listItems(value, origin);
    } catch (e) {
      input.findings.push({ severity: 'error', rule: 'decode', file, line, object: `document ${index + 1} (List)`, path: 'items', message: (e as Error).message.replace(/^.*?: items: /, '') });
      return;
    }
    const fieldLine = (base: (string | number)[], start: number) => (path: string) => {
      if (path === '') return start;
      const offset = sourceOffset(doc.contents, [...base, ...pathSegments(path)]);
      return offset === undefined ? start : lineOf(offset);
    };
    if (items === undefined) addDoc(input, value, origin, line, fieldLine([], line));
    else {
      items.forEach((item, i) => {
        const start = sourceOffset(doc.contents, ['items', i]);
        const itemLine = start === undefined ? line : lineOf(start);
        addDoc(input, item, { ...origin, item: i }, itemLine, fieldLine(['items', i], itemLine));
      });
    }
  });
}

/**
 * The fast path of lintText (exported for tests): adds the items of a JSON List and returns true, or returns false
 * (adding nothing) for any text where it could differ from the YAML path — not a List of objects,
 * not valid JSON, a key twice or spelled with escapes, a number too long for a double. Lines are
 * those the YAML path gives: an item's is the line of its `{`; a field's is found by parsing that
 * item's text alone with the YAML parser, on first need.
 */
export function lintJsonList(text: string, file: string, input: LintInput): boolean {
  if (!looksLikeJson(text) || !(text as string & { isWellFormed(): boolean }).isWellFormed()) return false;
  const bytes = Buffer.from(text, 'utf8');
  const scan = drain(scanSteps(bytes, bytes.length));
  if (scan.duplicate || scan.escapedKey || scan.longNumber) return false;
  let list: ScannedList | undefined;
  try {
    list = drain(scannedList(scan, Infinity));
  } catch {
    return false;
  }
  if (!list) return false;
  const { starts, ends } = list;
  let line = 1;
  let at = 0;
  list.items.forEach((item, i) => {
    const start = starts[i];
    for (; at < start; at++) if (bytes[at] === NEWLINE) line++;
    const itemLine = line;
    let ast: unknown;
    const fieldLine = (path: string): number => {
      if (path === '') return itemLine;
      const itemText = bytes.toString('utf8', start, ends[i]);
      ast ??= parseDocument(itemText).contents;
      const offset = sourceOffset(ast, pathSegments(path));
      return offset === undefined ? itemLine : itemLine + newlinesBefore(itemText, offset);
    };
    addDoc(input, item, { file, doc: 0, item: i }, itemLine, fieldLine);
  });
  return true;
}

const NEWLINE = 10;

function newlinesBefore(text: string, offset: number): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** `spec.devices[3]["a/b"].value` → `['spec', 'devices', 3, 'a/b', 'value']` (the form fields.ts `at` writes); stops at what it cannot read. */
export function pathSegments(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  const part = /\.?([A-Za-z_][\w-]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/y;
  for (let m = part.exec(path); m; m = part.exec(path)) {
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined) out.push(Number(m[2]));
    else out.push(JSON.parse(m[3]) as string);
    if (part.lastIndex === path.length) break;
  }
  return out;
}

/** Source offset of the deepest node along `segments` (a map key's own offset; a list item's). */
function sourceOffset(root: unknown, segments: readonly (string | number)[]): number | undefined {
  let node = root;
  let offset: number | undefined;
  for (const s of segments) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(s));
      if (!pair) break;
      offset = (pair.key as { range?: [number, number, number] }).range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof s === 'number' && s < node.items.length) {
      node = node.items[s];
      offset = (node as { range?: [number, number, number] } | null)?.range?.[0] ?? offset;
    } else break;
  }
  return offset;
}

function addDoc(input: LintInput, raw: unknown, origin: Origin, line: number, lineOf: (path: string) => number): void {
  const label = labelOf(raw, origin);
  let object: DraObject | undefined;
  let decodeError: string | undefined;
  try {
    object = decodeObject(raw, origin, []); // kinds dralloc does not read are not lint's business
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    decodeError = e.message.replace(/^.*?: document \d+( item \d+)?( \([^)]*\))?: /, '');
  }
  input.docs.push({ raw, origin, line, lineOf, label, object, decodeError });
}

/** `Kind ns/name` from a raw value, as far as it has them. */
function labelOf(raw: unknown, origin: Origin): string {
  const o = (typeof raw === 'object' && raw !== null ? raw : {}) as { kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } };
  const kind = typeof o.kind === 'string' && o.kind ? o.kind : undefined;
  const meta = typeof o.metadata === 'object' && o.metadata !== null ? o.metadata : {};
  const name = typeof meta.name === 'string' && meta.name ? meta.name : undefined;
  const ns = typeof meta.namespace === 'string' && meta.namespace ? `${meta.namespace}/` : '';
  const doc = `document ${origin.doc + 1}${origin.item !== undefined ? ` item ${origin.item + 1}` : ''}`;
  if (!kind) return doc;
  return name ? `${kind} ${ns}${name}` : `${kind} <unnamed> (${doc})`;
}

/** Offset → 1-based line number. */
function lineIndex(text: string): (offset: number) => number {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}
