/**
 * `lint`: API-server validation (errors) and likely mistakes (warnings) for every object of
 * the input, each finding naming file, line, object and field path. Objects of kinds dralloc
 * does not read are skipped.
 */

import type { CelOptions } from '../cel/index.js';
import { lintLoad, lintText, type LintDoc, type LintInput } from './load.js';
import { validateObject } from './validate.js';
import { semanticWarnings } from './rules.js';
import { allocatedStateProblems } from '../schedule/allocated-check.js';
import type { Finding } from './types.js';
import { drain } from '../util/steps.js';

export { lintLoad, lintText, type LintInput, type LintDoc } from './load.js';
export { formatFinding, type Finding, type Severity } from './types.js';

const READ_KINDS = new Set(['Node', 'ResourceSlice', 'DeviceClass', 'ResourceClaim', 'ResourceClaimTemplate', 'Pod', 'PodGroup', 'DeviceTaintRule']);

/** All findings for a loaded input, errors and warnings, in file and line order (stable). */
export function lint(input: LintInput, cel: CelOptions): Finding[] {
  return drain(lintSteps(input, cel));
}

/** `lint` as steps: one per document validated, one for the cross-object warnings (util/steps.ts). */
export function* lintSteps(input: LintInput, cel: CelOptions): Generator<void, Finding[]> {
  const out: Finding[] = [...input.findings];
  const invalid = new Set<LintDoc>();
  for (const doc of input.docs) {
    const kind = (doc.raw as { kind?: unknown } | null)?.kind;
    if (typeof kind === 'string' && !READ_KINDS.has(kind)) continue;
    // An apiVersion dralloc does not read (v1beta1, ...) has other field shapes: that is the finding, not its fields.
    const wrongVersion = doc.decodeError?.startsWith('apiVersion: ') === true;
    const issues = wrongVersion ? [] : validateObject(doc.raw, cel);
    if (issues.length > 0 || doc.decodeError) invalid.add(doc);
    for (const i of issues) out.push({ severity: 'error', rule: i.rule, file: doc.origin.file, line: doc.lineOf(i.path), object: doc.label, path: i.path, message: i.message });
    if (issues.length === 0 && doc.decodeError) {
      const m = /^([\w.[\]"/-]+): (.*)$/s.exec(doc.decodeError);
      const path = m ? m[1] : '';
      out.push({ severity: 'error', rule: 'decode', file: doc.origin.file, line: doc.lineOf(path), object: doc.label, path, message: m ? m[2] : doc.decodeError });
    }
    yield;
  }
  out.push(...semanticWarnings(input.docs, cel, invalid));
  yield;
  const docOf = new Map(input.docs.filter((d) => d.object !== undefined && !invalid.has(d)).map((d) => [d.object!, d]));
  for (const p of allocatedStateProblems([...docOf.keys()])) {
    const doc = docOf.get(p.object)!;
    out.push({ severity: 'error', rule: 'allocated-state', file: doc.origin.file, line: doc.lineOf(p.path), object: doc.label, path: p.path, message: p.message });
  }
  return out
    .map((f, i) => [f, i] as const)
    .sort(([a, i], [b, j]) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || i - j))
    .map(([f]) => f);
}

/** Loads `paths` and lints them. Throws InputError only for unreadable paths. */
export async function lintPaths(paths: string[], cel: CelOptions, stdin?: string): Promise<Finding[]> {
  return lint(await lintLoad(paths, stdin), cel);
}

/** Lints one text (as if read from `file`). */
export function lintString(text: string, file: string, cel: CelOptions): Finding[] {
  return lint(textInput(text, file), cel);
}

/** The documents of one text (as if read from `file`), ready for `lint`/`lintSteps`. */
export function textInput(text: string, file: string): LintInput {
  const input: LintInput = { docs: [], findings: [] };
  lintText(text, file, input);
  return input;
}
