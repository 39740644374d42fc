/**
 * Loading for lint: like `loadPaths`, but it never stops at the first bad document. Every
 * document is kept with its raw value (what the API server would receive), its origin and
 * start line, and — when dralloc can decode it — the decoded object; a syntax error or a
 * decode error becomes a finding of that document. Only unreadable paths throw (InputError).
 */

import { readFile } from 'node:fs/promises';
import { yaml } from '../model/yaml.js';
import { decodeObject } from '../model/decode.js';
import { InputError } from '../model/errors.js';
import { filesOf, listItems, safeIntegersAsNumbers, STDIN_NAME } from '../model/load.js';
import type { DraObject, Origin } from '../model/types.js';
import type { Finding } from './types.js';

export interface LintDoc {
  raw: unknown;
  origin: Origin;
  line: number;
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

/** Adds the documents of one text to `input` (exported for tests and fuzzing). */
export function lintText(text: string, file: string, input: LintInput): void {
  const lineOf = lineIndex(text);
  yaml().parseAllDocuments(text, { intAsBigInt: true }).forEach((doc, index) => {
    const line = lineOf(doc.range?.[0] ?? 0);
    const origin: Origin = { file, doc: index };
    if (doc.errors.length > 0) {
      const e = doc.errors[0];
      const at = e.linePos?.[0];
      const reason = e.message.replace(/ at line \d+, column \d+:[\s\S]*$/, '');
      input.findings.push({ severity: 'error', rule: 'syntax', file, line: at?.line ?? line, object: `document ${index + 1}`, path: '', message: `YAML syntax error: ${reason}` });
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
    if (items === undefined) addDoc(input, value, origin, line);
    else items.forEach((item, i) => addDoc(input, item, { ...origin, item: i }, line));
  });
}

function addDoc(input: LintInput, raw: unknown, origin: Origin, line: number): void {
  const label = labelOf(raw, origin);
  let object: DraObject | undefined;
  let decodeError: string | undefined;
  try {
    object = decodeObject(raw, origin, []); // kinds dralloc does not read are not lint's business
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    decodeError = e.message.replace(/^.*?: document \d+( item \d+)?( \([^)]*\))?: /, '');
  }
  input.docs.push({ raw, origin, line, label, object, decodeError });
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
