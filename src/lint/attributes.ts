/**
 * The `unknown-attribute` rule (src/compile/attribute-names.ts, shared with explain's selector
 * warnings): CEL lookups `device.attributes["DOMAIN"].NAME` (or `["NAME"]`) and
 * `device.capacity[...]` whose domain or name no device of the input has, with the closest name
 * that exists, in lint's wording. Works on the parsed expression (@bufbuild/cel's AST, the
 * references selector-diagnostics finds), conservatively: only constant keys, and not names
 * guards test (`has()`, `in`: a guard that is false for devices without the attribute is intended).
 */

import { parse } from '@bufbuild/cel';
import type { Expr } from '@bufbuild/cel-spec/cel/expr/syntax_pb.js';
import type { ResourceSlice } from '../model/types.js';
import { AttributeNames, nearest, verdict } from '../compile/attribute-names.js';
import { references, type Reference } from '../compile/fastpath/plan.js';

/** The attribute and capacity names of the input's devices. */
export function sliceNames(slices: readonly ResourceSlice[]): AttributeNames {
  const names = new AttributeNames();
  for (const s of slices) for (const d of s.spec.devices ?? []) names.add(s.spec.driver, d);
  return names;
}

/** Problems with the expression's constant attribute/capacity lookups (empty when none or unparsable). */
export function attributeProblems(expression: string, known: AttributeNames): string[] {
  if (known.devices === 0) return [];
  let expr: Expr | undefined;
  try {
    expr = parse(expression).expr;
  } catch {
    return []; // syntax errors are the cel-compile rule's
  }
  if (expr === undefined) return [];
  const out: string[] = [];
  for (const l of references(expr, { guards: false })) {
    const problem = check(l, known);
    if (problem && !out.includes(problem)) out.push(problem);
  }
  return out;
}

/** lint's suggestions: the closest name ignoring case, only when close enough to be a typo. */
const closest = (s: string, candidates: Iterable<string>) => nearest(s, candidates, { ignoreCase: true, plausible: true });

function check(l: Reference, known: AttributeNames): string | undefined {
  const v = verdict(known, l.kind, l.domain, l.name);
  if (v.known) return undefined;
  const domains = known.domains(l.kind);
  const text = `device.${l.kind}[${JSON.stringify(l.domain)}]${l.name !== undefined ? `.${l.name}` : ''}`;
  if (!v.domainKnown) {
    let hint: string | undefined;
    const slash = l.domain.lastIndexOf('/');
    if (slash >= 0) {
      // `device.attributes["domain/name"]`: the qualified name used as the outer key.
      const [d, n] = [l.domain.slice(0, slash), l.domain.slice(slash + 1)];
      const best = closest(`${d}/${n}`, known.qualified(l.kind));
      const [bd, bn] = best ? [best.slice(0, best.lastIndexOf('/')), best.slice(best.lastIndexOf('/') + 1)] : [d, n];
      hint = `the key is a domain and the attribute name goes after it: did you mean device.${l.kind}[${JSON.stringify(bd)}].${bn}?`;
    } else {
      const best = closest(l.domain, domains.keys());
      if (best) hint = `did you mean device.${l.kind}[${JSON.stringify(best)}]?`;
    }
    return `${text}: no device in the input has ${l.kind === 'attributes' ? 'an attribute' : 'a capacity'} with domain ${JSON.stringify(l.domain)}${hint ? `; ${hint}` : ''}`;
  }
  const best = closest(l.name!, v.ids);
  const elsewhere = [...domains].filter(([, other]) => other.has(l.name!)).map(([d]) => d);
  const hint = best ? `did you mean .${best}?` : elsewhere.length ? `${l.name} exists in domain ${elsewhere[0]}` : undefined;
  return `${text}: no device in the input has ${l.kind === 'attributes' ? 'attribute' : 'capacity'} ${l.domain}/${l.name}${hint ? `; ${hint}` : ''}`;
}
