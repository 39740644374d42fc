/**
 * Diagnostics for selectors that cannot match as written: references to an attribute or
 * capacity domain, or a name inside a domain, that no device of the inventory has — e.g.
 * `device.attributes["gpu.nvidia.com/gpu"]` (a qualified name used as the domain). Such a
 * selector compiles, but every lookup is an empty map or a missing key. Each warning names the
 * closest existing reference (by edit distance), in selector syntax. The rule is lint's
 * `unknown-attribute` rule (attribute-names.ts); this is its wording for explain and the CLI.
 */
import type { Inventory } from './inventory.js';
import type { CelOptions } from '../cel/index.js';
import { splitQualifiedName } from '../cel/device-fields.js';
import { celRuntime } from './cel-loader.js';
import { literalPlan, literalReferences } from './fastpath/literal.js';
import type { Reference } from './fastpath/plan.js';
import { AttributeNames, editDistance, nearest, verdict, type NameField } from './attribute-names.js';

export interface Warning {
  /** The reference as written, e.g. `device.attributes["gpu.nvidia.com/gpu"]`. */
  reference: string;
  /** What is wrong and the closest existing reference, when there is one. */
  message: string;
  /** The closest existing reference, e.g. `device.attributes["gpu.nvidia.com"].gpu`. */
  suggestion?: string;
}

/** Warnings for `expression` against `inventory`; none when it does not compile (that error says enough). */
export function unknownAttributeReferences(expression: string, inventory: Inventory, opts: CelOptions): Warning[] {
  const literal = literalPlan(expression);
  const refs = literal !== undefined ? literalReferences(literal) : compiledReferences(expression, opts);
  const known = inventoryNames(inventory);
  const warnings = new Map<string, Warning>();
  for (const r of refs) {
    const w = check(r.kind, r.domain, r.name, known);
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

/** The names of the inventory's live devices. */
function inventoryNames(inv: Inventory): AttributeNames {
  const names = new AttributeNames();
  for (let i = 0; i < inv.size; i++) if (inv.live(i)) names.add(inv.sliceOf[i].spec.driver, inv.devices[i]);
  return names;
}

function ref(kind: NameField, domain: string, name?: string): string {
  return `device.${kind}[${JSON.stringify(domain)}]${name === undefined ? '' : /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? `.${name}` : `[${JSON.stringify(name)}]`}`;
}

/** Suggestions are the nearest name in sorted order, however far (the warning already says the lookup is unknown). */
const nearestSorted = (s: string, candidates: Iterable<string>) => nearest(s, [...candidates].sort());

function check(kind: NameField, domain: string, name: string | undefined, names: AttributeNames): Warning | undefined {
  const v = verdict(names, kind, domain, name);
  if (v.known) return undefined;
  if (v.domainKnown) {
    const closest = nearestSorted(name!, v.ids);
    const suggestion = closest === undefined ? undefined : ref(kind, domain, closest);
    return warning(ref(kind, domain, name), `no device has ${kind} ${JSON.stringify(name)} in domain ${JSON.stringify(domain)}`, suggestion);
  }
  // A qualified name used as the domain: device.attributes["gpu.nvidia.com/gpu"]; suggest the
  // name after it when that domain has it, else the name inside the quotes.
  const known = names.domains(kind);
  const [d, n] = splitQualifiedName(domain, '');
  const inD = known.get(d);
  if (d !== '' && inD !== undefined && (inD.has(n) || (name !== undefined && inD.has(name)))) {
    const suggestion = name !== undefined && inD.has(name) ? ref(kind, d, name) : ref(kind, d, n);
    return warning(ref(kind, domain, name), `no device has ${kind} in domain ${JSON.stringify(domain)} (a qualified name is not a domain)`, suggestion);
  }
  const closestDomain = nearestSorted(domain, known.keys());
  const suggestion =
    closestDomain === undefined ? undefined : ref(kind, closestDomain, name !== undefined && known.get(closestDomain)!.has(name) ? name : undefined);
  return warning(ref(kind, domain, name), `no device has ${kind} in domain ${JSON.stringify(domain)}`, suggestion);
}

function warning(reference: string, what: string, suggestion: string | undefined): Warning {
  return { reference, message: suggestion === undefined ? what : `${what}; did you mean ${suggestion}?`, suggestion };
}

export { editDistance };
