/**
 * Name syntax the API server enforces (k8s.io/apimachinery/pkg/util/validation), returning
 * upstream's error details; an empty list means valid.
 */

const LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const LABEL_RE = new RegExp(`^${LABEL}$`);
const SUBDOMAIN_RE = new RegExp(`^${LABEL}(\\.${LABEL})*$`);
const C_IDENT_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
const LABEL_VALUE_RE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const QUALIFIED_NAME_RE = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

const maxLen = (max: number) => `must be no more than ${max} characters`;

/** The API server's two checks of a name: its length, then its syntax (each with its message). */
function lengthAndPattern(v: string, max: number, re: RegExp, syntax: string): string[] {
  const errs: string[] = [];
  if (v.length > max) errs.push(maxLen(max));
  if (!re.test(v)) errs.push(syntax);
  return errs;
}

export function dns1123Label(v: string): string[] {
  return lengthAndPattern(v, 63, LABEL_RE,
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
  );
}

export function dns1123Subdomain(v: string, max = 253): string[] {
  return lengthAndPattern(v, max, SUBDOMAIN_RE,
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
  );
}

/** Upstream `validateCIdentifier` for DRA attribute and capacity ids (≤32). */
export function cIdentifier(v: string): string[] {
  return lengthAndPattern(v, 32, C_IDENT_RE,
    "a valid C identifier must start with alphabetic character or '_', followed by a string of alphanumeric characters or '_' (e.g. 'my_name',  or 'MY_NAME',  or 'MyName', regex used for validation is '[A-Za-z_][A-Za-z0-9_]*')",
  );
}

/** DRA QualifiedName: `id` or `domain/id` (domain a DNS subdomain ≤63, id a C identifier ≤32). */
export function draQualifiedName(v: string): string[] {
  const slash = v.indexOf('/');
  if (slash < 0) return cIdentifier(v);
  const domain = v.slice(0, slash);
  const id = v.slice(slash + 1);
  return [...(domain === '' ? ['the domain must not be empty'] : dns1123Subdomain(domain, 63)), ...cIdentifier(id)];
}

/** DRA FullyQualifiedName (constraints): a domain is required. */
export function draFullyQualifiedName(v: string): string[] {
  if (!v.includes('/')) return ['a fully qualified name must be a domain and a name separated by a slash'];
  return draQualifiedName(v);
}

/** Label value (taint values): ≤63, alphanumeric at both ends, `-_.` inside. */
export function labelValue(v: string): string[] {
  return lengthAndPattern(v, 63, LABEL_VALUE_RE,
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
  );
}

/** Kubernetes qualified name (label keys, taint keys): `[prefix/]name`, name ≤63, prefix a DNS subdomain. */
export function qualifiedName(v: string): string[] {
  const parts = v.split('/');
  if (parts.length > 2) return ["a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character, with an optional DNS subdomain prefix and '/'"];
  const name = parts[parts.length - 1];
  const errs = parts.length === 2 ? dns1123Subdomain(parts[0]).map((e) => `prefix part ${e}`) : [];
  if (name.length > 63) errs.push(`name part ${maxLen(63)}`);
  if (!QUALIFIED_NAME_RE.test(name)) {
    errs.push(
      "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
    );
  }
  return errs;
}

/** Semantic version 2.0.0 (upstream's regexp for version attributes). */
export const SEMVER_RE =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;
