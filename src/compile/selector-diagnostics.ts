/**
 * Diagnostics for selectors that cannot match as written: references to an attribute or
 * capacity domain, or a name inside a domain, that no device of the inventory has — e.g.
 * `device.attributes["gpu.nvidia.com/gpu"]` (a qualified name used as the domain). Such a
 * selector compiles, but every lookup is an empty map or a missing key. Each warning names the
 * closest existing reference (by edit distance), in selector syntax.
 */
import type { Inventory } from './inventory.js';
import type { CelOptions } from '../cel/index.js';
import { splitQualifiedName } from '../cel/device-fields.js';
import { celRuntime } from './cel-loader.js';
import { literalPlan, literalReferences } from './fastpath/literal.js';
import type { Reference } from './fastpath/plan.js';

export interface Warning {
  /** The reference as written, e.g. `device.attributes["gpu.nvidia.com/gpu"]`. */
  reference: string;
  /** What is wrong and the closest existing reference, when there is one. */
  message: string;
  /** The closest existing reference, e.g. `device.attributes["gpu.nvidia.com"].gpu`. */
  suggestion?: string;
}

type Kind = 'attributes' | 'capacity';

/** Warnings for `expression` against `inventory`; none when it does not compile (that error says enough). */
export function unknownAttributeReferences(expression: string, inventory: Inventory, opts: CelOptions): Warning[] {
  const literal = literalPlan(expression);
  const refs = literal !== undefined ? literalReferences(literal) : compiledReferences(expression, opts);
  const known = { attributes: names(inventory, 'attributes'), capacity: names(inventory, 'capacity') };
  const warnings = new Map<string, Warning>();
  for (const r of refs) {
    const w = check(r.kind, r.domain, r.name, known[r.kind]);
    if (w !== undefined) warnings.set(w.reference, w);
  }
  return [...warnings.values()];
}

/** The references in the compiled AST (the CEL runtime: not a literal selector); none when it does not compile. */
function compiledReferences(expression: string, opts: CelOptions): Reference[] {
  const cel = celRuntime();
  try {
    return cel.references(cel.compileSelector(expression, opts).ast);
  } catch (e) {
    if (e instanceof cel.CelCompileError) return [];
    throw e;
  }
}

/** domain → names present on at least one device (bare names filed under their driver). */
function names(inv: Inventory, kind: Kind): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (let i = 0; i < inv.size; i++) {
    if (!inv.live(i)) continue;
    const driver = inv.sliceOf[i].spec.driver;
    for (const qualified of Object.keys(inv.devices[i][kind] ?? {})) {
      const [domain, id] = splitQualifiedName(qualified, driver);
      let set = out.get(domain);
      if (set === undefined) out.set(domain, (set = new Set()));
      set.add(id);
    }
  }
  return out;
}

function ref(kind: Kind, domain: string, name?: string): string {
  return `device.${kind}[${JSON.stringify(domain)}]${name === undefined ? '' : /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? `.${name}` : `[${JSON.stringify(name)}]`}`;
}

function check(kind: Kind, domain: string, name: string | undefined, known: Map<string, Set<string>>): Warning | undefined {
  const names = known.get(domain);
  if (names !== undefined) {
    if (name === undefined || names.has(name)) return undefined;
    const closest = nearest(name, [...names]);
    const suggestion = closest === undefined ? undefined : ref(kind, domain, closest);
    return warning(ref(kind, domain, name), `no device has ${kind} ${JSON.stringify(name)} in domain ${JSON.stringify(domain)}`, suggestion);
  }
  // A qualified name used as the domain: device.attributes["gpu.nvidia.com/gpu"].
  // A qualified name used as the domain: device.attributes["gpu.nvidia.com/gpu"]; suggest the
  // name after it when that domain has it, else the name inside the quotes.
  const [d, n] = splitQualifiedName(domain, '');
  const inD = known.get(d);
  if (d !== '' && inD !== undefined && (inD.has(n) || (name !== undefined && inD.has(name)))) {
    const suggestion = name !== undefined && inD.has(name) ? ref(kind, d, name) : ref(kind, d, n);
    return warning(ref(kind, domain, name), `no device has ${kind} in domain ${JSON.stringify(domain)} (a qualified name is not a domain)`, suggestion);
  }
  const closestDomain = nearest(domain, [...known.keys()]);
  const suggestion =
    closestDomain === undefined ? undefined : ref(kind, closestDomain, name !== undefined && known.get(closestDomain)!.has(name) ? name : undefined);
  return warning(ref(kind, domain, name), `no device has ${kind} in domain ${JSON.stringify(domain)}`, suggestion);
}

function warning(reference: string, what: string, suggestion: string | undefined): Warning {
  return { reference, message: suggestion === undefined ? what : `${what}; did you mean ${suggestion}?`, suggestion };
}

/** The candidate closest to `s` by edit distance (ties: the first in sorted order). */
function nearest(s: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates.sort()) {
    const d = editDistance(s, c);
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best;
}

/** Levenshtein distance. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}
