/**
 * The `unknown-attribute` rule: CEL lookups `device.attributes["DOMAIN"].NAME` (or
 * `["NAME"]`) and `device.capacity[...]` whose domain or name no device of the input has,
 * with the closest name that exists. Works on the parsed expression (@bufbuild/cel's AST),
 * conservatively: only constant keys, and not lookups inside `has()` (a guard that is false
 * for devices without the attribute is intended).
 */

import { parse } from '@bufbuild/cel';
import type { Expr } from '@bufbuild/cel-spec/cel/expr/syntax_pb.js';
import type { ResourceSlice } from '../model/types.js';
import { editDistance } from '../compile/selector-diagnostics.js';

type Field = 'attributes' | 'capacity';

/** Qualified names (`domain/id`) of the input's devices, per field, by domain. */
export class KnownNames {
  readonly byDomain: Record<Field, Map<string, Set<string>>> = { attributes: new Map(), capacity: new Map() };
  devices = 0;

  constructor(slices: readonly ResourceSlice[]) {
    for (const s of slices) {
      for (const d of s.spec.devices ?? []) {
        this.devices++;
        for (const field of ['attributes', 'capacity'] as const) {
          for (const name of Object.keys(d[field] ?? {})) {
            const slash = name.indexOf('/');
            const [domain, id] = slash < 0 ? [s.spec.driver, name] : [name.slice(0, slash), name.slice(slash + 1)];
            let ids = this.byDomain[field].get(domain);
            if (!ids) this.byDomain[field].set(domain, (ids = new Set()));
            ids.add(id);
          }
        }
      }
    }
  }

  all(field: Field): [string, string][] {
    return [...this.byDomain[field]].flatMap(([domain, ids]) => [...ids].map((id): [string, string] => [domain, id]));
  }
}

interface Lookup {
  field: Field;
  domain: string;
  name?: string;
}

/** Problems with the expression's constant attribute/capacity lookups (empty when none or unparsable). */
export function attributeProblems(expression: string, known: KnownNames): string[] {
  if (known.devices === 0) return [];
  let expr: Expr;
  try {
    expr = parse(expression).expr;
  } catch {
    return []; // syntax errors are the cel-compile rule's
  }
  const out: string[] = [];
  for (const l of lookups(expr)) {
    const problem = check(l, known);
    if (problem && !out.includes(problem)) out.push(problem);
  }
  return out;
}

function check(l: Lookup, known: KnownNames): string | undefined {
  const domains = known.byDomain[l.field];
  const text = `device.${l.field}[${JSON.stringify(l.domain)}]${l.name !== undefined ? `.${l.name}` : ''}`;
  const ids = domains.get(l.domain);
  if (!ids) {
    let hint: string | undefined;
    const slash = l.domain.lastIndexOf('/');
    if (slash >= 0) {
      // `device.attributes["domain/name"]`: the qualified name used as the outer key.
      const [d, n] = [l.domain.slice(0, slash), l.domain.slice(slash + 1)];
      const best = closest(`${d}/${n}`, known.all(l.field).map(([kd, kn]) => `${kd}/${kn}`));
      const [bd, bn] = best ? [best.slice(0, best.lastIndexOf('/')), best.slice(best.lastIndexOf('/') + 1)] : [d, n];
      hint = `the key is a domain and the attribute name goes after it: did you mean device.${l.field}[${JSON.stringify(bd)}].${bn}?`;
    } else {
      const best = closest(l.domain, [...domains.keys()]);
      if (best) hint = `did you mean device.${l.field}[${JSON.stringify(best)}]?`;
    }
    return `${text}: no device in the input has ${l.field === 'attributes' ? 'an attribute' : 'a capacity'} with domain ${JSON.stringify(l.domain)}${hint ? `; ${hint}` : ''}`;
  }
  if (l.name === undefined || ids.has(l.name)) return undefined;
  const best = closest(l.name, [...ids]);
  const elsewhere = [...domains].filter(([, other]) => other.has(l.name!)).map(([d]) => d);
  const hint = best ? `did you mean .${best}?` : elsewhere.length ? `${l.name} exists in domain ${elsewhere[0]}` : undefined;
  return `${text}: no device in the input has ${l.field === 'attributes' ? 'attribute' : 'capacity'} ${l.domain}/${l.name}${hint ? `; ${hint}` : ''}`;
}

/** Every `device.attributes[const]` / `device.capacity[const]` lookup, with the name selected from it. */
function lookups(root: Expr): Lookup[] {
  const out: Lookup[] = [];
  const walk = (e: Expr | undefined, parentName?: string, testOnly = false): void => {
    if (!e) return;
    const k = e.exprKind;
    switch (k.case) {
      case 'selectExpr':
        walk(k.value.operand, k.value.field, k.value.testOnly);
        return;
      case 'callExpr': {
        const outer = domainLookup(e);
        if (outer) {
          if (!testOnly) out.push({ ...outer, name: parentName });
          return;
        }
        if (k.value.function === '_[_]' && k.value.args.length === 2) {
          const key = constString(k.value.args[1]);
          walk(k.value.args[0], key);
          return;
        }
        walk(k.value.target);
        for (const a of k.value.args) walk(a);
        return;
      }
      case 'listExpr':
        for (const el of k.value.elements) walk(el);
        return;
      case 'structExpr':
        for (const en of k.value.entries) {
          if (en.keyKind.case === 'mapKey') walk(en.keyKind.value);
          walk(en.value);
        }
        return;
      case 'comprehensionExpr':
        for (const x of [k.value.iterRange, k.value.accuInit, k.value.loopCondition, k.value.loopStep, k.value.result]) walk(x);
        return;
      default:
        return;
    }
  };
  walk(root);
  return out;
}

/** `device.attributes["D"]` / `device.capacity["D"]` → its field and domain. */
function domainLookup(e: Expr): { field: Field; domain: string } | undefined {
  if (e.exprKind.case !== 'callExpr' || e.exprKind.value.function !== '_[_]') return undefined;
  const [target, key] = e.exprKind.value.args;
  const domain = key && constString(key);
  if (domain === undefined || target?.exprKind.case !== 'selectExpr') return undefined;
  const { operand, field } = target.exprKind.value;
  if (operand?.exprKind.case !== 'identExpr' || operand.exprKind.value.name !== 'device') return undefined;
  return field === 'attributes' || field === 'capacity' ? { field, domain } : undefined;
}

function constString(e: Expr): string | undefined {
  return e.exprKind.case === 'constExpr' && e.exprKind.value.constantKind.case === 'stringValue' ? e.exprKind.value.constantKind.value : undefined;
}

/** The candidate closest to `s` by edit distance, when it is close enough to be a plausible typo. */
export function closest(s: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(s.toLowerCase(), c.toLowerCase());
    if (d < bestD) [best, bestD] = [c, d];
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(s.length / 2)) ? best : undefined;
}
