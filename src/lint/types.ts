/** What `dralloc lint` reports: findings that name file, object and field path. */

export type Severity = 'error' | 'warning';

export interface Finding {
  /** `error`: the API server would refuse it (or it cannot be read); `warning`: valid but almost surely wrong. */
  severity: Severity;
  /** The rule's id (see docs/explain-lint.md), e.g. `invalid-name`, `selector-matches-nothing`. */
  rule: string;
  file: string;
  /** 1-based line of the field `path` in the file (its deepest part written there; the document's first line for the whole object; 0 when unknown). */
  line: number;
  /** `Kind name` or `Kind namespace/name` (`<document N>` when it has no usable kind/name). */
  object: string;
  /** Field path from the object root, e.g. `spec.devices[3].name` ('' for the whole object). */
  path: string;
  /** For API-server rules, the API server's field error text after the path. */
  message: string;
}

/** `file:line: Kind name: path: message`, the one-line form. */
export function formatFinding(f: Finding): string {
  const where = f.line > 0 ? `${f.file}:${f.line}` : f.file;
  return `${where}: ${f.object}: ${f.path ? `${f.path}: ` : ''}${f.message}`;
}

/** API-server style field errors (k8s.io/apimachinery/pkg/util/validation/field). */
export const fieldError = {
  required: (detail?: string) => `Required value${detail ? `: ${detail}` : ''}`,
  invalid: (value: unknown, detail: string) => `Invalid value: ${show(value)}: ${detail}`,
  unsupported: (value: unknown, supported: readonly string[]) => `Unsupported value: ${show(value)}: supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}`,
  duplicate: (value: unknown) => `Duplicate value: ${show(value)}`,
  tooMany: (n: number, max: number) => `Too many: ${n}: must have at most ${max} items`,
  tooLong: (max: number) => `Too long: may not be more than ${max} bytes`,
  forbidden: (detail: string) => `Forbidden: ${detail}`,
};

/** A value as Go's field errors print it: strings quoted, others as JSON, long ones cut. */
export function show(v: unknown): string {
  let s: string;
  if (typeof v === 'string') s = JSON.stringify(v);
  else if (typeof v === 'bigint') s = v.toString();
  else {
    try {
      s = JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x)) ?? String(v);
    } catch {
      s = String(v);
    }
  }
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
}
