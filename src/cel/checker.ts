/**
 * Static type checker for DRA selector expressions.
 *
 * @bufbuild/cel 0.6.1 ships no usable checker (its `check()` handles only constants and
 * identifiers), so this one does what cel-go's checker does for the errors users can make in a
 * selector: undeclared references (variables and functions), undefined fields of `device`,
 * field selection on types that have no fields, calls that match no overload, mixed-type list
 * and map literals (HomogeneousAggregateLiterals), and the output type. Overloads come from the
 * environment's own function table, so checker and runtime cannot disagree about what exists.
 * Types it cannot know statically are `dyn`, which matches everything (as in cel-go).
 */
import { CelScalar, listType, mapType, objectType, type CelFunc, type CelType } from '@bufbuild/cel';
import type { Expr, Constant } from '@bufbuild/cel-spec/cel/expr/syntax_pb.js';

const { INT, UINT, DOUBLE, BOOL, STRING, BYTES, NULL, DYN, TYPE } = CelScalar;

/** A problem found by the checker, located at the offending expression node. */
export interface Issue {
  exprId: bigint;
  message: string;
}

/** What the checker knows about the environment. */
export interface CheckerEnv {
  /** Global variables by name. */
  readonly variables: ReadonlyMap<string, CelType>;
  /** Fields of object types declared by the environment (e.g. `kubernetes.DRADevice`). */
  readonly objectFields: ReadonlyMap<string, ReadonlyMap<string, CelType>>;
  /** All overloads by function name (global and member). */
  readonly functions: ReadonlyMap<string, readonly CelFunc[]>;
}

/** Identifiers that denote type values (`type(x) == int`). */
const TYPE_IDENTS = new Set(['int', 'uint', 'double', 'bool', 'string', 'bytes', 'list', 'map', 'null_type', 'type']);

interface Scope {
  readonly vars: ReadonlyMap<string, CelType>;
  readonly parent: Scope | undefined;
}

function isDyn(t: CelType): boolean {
  return t.kind === 'scalar' && t.name === 'dyn';
}

/** cel-go's assignability with `dyn` as a wildcard on either side. */
export function assignable(to: CelType, from: CelType): boolean {
  if (isDyn(to) || isDyn(from)) return true;
  if (to.kind !== from.kind) return false;
  switch (to.kind) {
    case 'list':
      return assignable(to.element, (from as typeof to).element);
    case 'map':
      return assignable(to.key, (from as typeof to).key) && assignable(to.value, (from as typeof to).value);
    default:
      return to.name === from.name;
  }
}

/** Of two mutually assignable types, the more specific one. */
function join(a: CelType, b: CelType): CelType {
  return isDyn(a) ? b : a;
}

function formatArgs(target: CelType | undefined, args: CelType[]): string {
  return `${target !== undefined ? `${target}.` : ''}(${args.map(String).join(', ')})`;
}

export class Checker {
  private readonly issues: Issue[] = [];

  constructor(private readonly env: CheckerEnv) {}

  /** Checks `expr`; returns its type and the issues found (empty when it is valid). */
  check(expr: Expr): { type: CelType; issues: Issue[] } {
    this.issues.length = 0;
    const type = this.expr(expr, undefined);
    return { type, issues: [...this.issues] };
  }

  private fail(e: Expr, message: string): CelType {
    this.issues.push({ exprId: e.id, message });
    return DYN;
  }

  private lookup(name: string, scope: Scope | undefined): CelType | undefined {
    for (let s = scope; s !== undefined; s = s.parent) {
      const t = s.vars.get(name);
      if (t !== undefined) return t;
    }
    return this.env.variables.get(name);
  }

  private expr(e: Expr, scope: Scope | undefined): CelType {
    const k = e.exprKind;
    switch (k.case) {
      case 'constExpr':
        return constType(k.value);
      case 'identExpr': {
        const t = this.lookup(k.value.name, scope);
        if (t !== undefined) return t;
        if (TYPE_IDENTS.has(k.value.name)) return TYPE;
        return this.fail(e, `undeclared reference to '${k.value.name}' (in container '')`);
      }
      case 'selectExpr': {
        if (k.value.operand === undefined) return this.fail(e, 'invalid select');
        const operand = this.expr(k.value.operand, scope);
        const field = this.select(e, operand, k.value.field);
        return k.value.testOnly ? BOOL : field;
      }
      case 'callExpr':
        return this.call(e, k.value.function, k.value.target, k.value.args, scope);
      case 'listExpr':
        return listType(this.homogeneous(k.value.elements, scope));
      case 'structExpr': {
        if (k.value.messageName !== '') return this.fail(e, `undeclared reference to '${k.value.messageName}' (in container '')`);
        const keys: Expr[] = [];
        const values: Expr[] = [];
        for (const entry of k.value.entries) {
          if (entry.keyKind.case === 'mapKey') keys.push(entry.keyKind.value);
          if (entry.value !== undefined) values.push(entry.value);
        }
        const key = this.homogeneous(keys, scope);
        return mapType(key as Parameters<typeof mapType>[0], this.homogeneous(values, scope));
      }
      case 'comprehensionExpr':
        return this.comprehension(e, k.value, scope);
      default:
        return this.fail(e, 'invalid expression');
    }
  }

  /** Element type of a literal; mixed types are an error, as with HomogeneousAggregateLiterals. */
  private homogeneous(items: Expr[], scope: Scope | undefined): CelType {
    let elem: CelType = DYN;
    let first = true;
    for (const item of items) {
      const t = this.expr(item, scope);
      if (first) {
        elem = t;
        first = false;
      } else if (!assignable(elem, t)) {
        this.fail(item, `expected type '${elem}' but found '${t}'`);
      } else {
        elem = join(elem, t);
      }
    }
    return elem;
  }

  private select(e: Expr, operand: CelType, field: string): CelType {
    switch (operand.kind) {
      case 'map':
        return operand.value;
      case 'object': {
        const fields = this.env.objectFields.get(operand.name);
        if (fields === undefined) return this.fail(e, `type '${operand}' does not support field selection`);
        return fields.get(field) ?? this.fail(e, `undefined field '${field}'`);
      }
      default:
        if (isDyn(operand)) return DYN;
        return this.fail(e, `type '${operand}' does not support field selection`);
    }
  }

  private comprehension(
    e: Expr,
    c: Extract<Expr['exprKind'], { case: 'comprehensionExpr' }>['value'],
    scope: Scope | undefined,
  ): CelType {
    if (!c.iterRange || !c.accuInit || !c.loopCondition || !c.loopStep || !c.result) return this.fail(e, 'invalid comprehension');
    const range = this.expr(c.iterRange, scope);
    let iter: CelType = DYN;
    if (range.kind === 'list') iter = range.element;
    else if (range.kind === 'map') iter = range.key;
    else if (!isDyn(range)) {
      this.fail(c.iterRange, `expression of type '${range}' cannot be range of a comprehension (must be list, map, or dynamic)`);
    }
    const accu = this.expr(c.accuInit, scope);
    const withAccu: Scope = { vars: new Map([[c.accuVar, accu]]), parent: scope };
    const loop: Scope = { vars: new Map([[c.iterVar, iter]]), parent: withAccu };
    this.expr(c.loopCondition, loop);
    this.expr(c.loopStep, loop);
    return this.expr(c.result, withAccu);
  }

  /** Qualified function name of `a.b.f(...)` when `a` is not a variable (e.g. `sets.contains`). */
  private qualifiedName(target: Expr, fn: string, scope: Scope | undefined): string | undefined {
    const parts: string[] = [fn];
    let t: Expr | undefined = target;
    while (t?.exprKind.case === 'selectExpr' && !t.exprKind.value.testOnly) {
      parts.unshift(t.exprKind.value.field);
      t = t.exprKind.value.operand;
    }
    if (t?.exprKind.case !== 'identExpr' || this.lookup(t.exprKind.value.name, scope) !== undefined) return undefined;
    parts.unshift(t.exprKind.value.name);
    const name = parts.join('.');
    return this.env.functions.has(name) ? name : undefined;
  }

  private call(e: Expr, fn: string, target: Expr | undefined, argExprs: Expr[], scope: Scope | undefined): CelType {
    const qualified = target !== undefined ? this.qualifiedName(target, fn, scope) : undefined;
    if (qualified !== undefined) return this.overload(e, qualified, undefined, argExprs.map((a) => this.expr(a, scope)));
    const targetType = target !== undefined ? this.expr(target, scope) : undefined;
    const args = argExprs.map((a) => this.expr(a, scope));
    switch (fn) {
      case '_&&_':
      case '_||_':
        return args.every((a) => assignable(BOOL, a)) ? BOOL : this.noOverload(e, fn, undefined, args);
      case '@not_strictly_false':
        return BOOL;
      case '_?_:_':
        if (assignable(BOOL, args[0]) && assignable(args[1], args[2])) return join(args[1], args[2]);
        return this.noOverload(e, fn, undefined, args);
      case '_==_':
      case '_!=_':
        return assignable(args[0], args[1]) ? BOOL : this.noOverload(e, fn, undefined, args);
      case '_[_]':
        return this.index(e, args[0], args[1]);
      default:
        return this.overload(e, fn, targetType, args);
    }
  }

  private index(e: Expr, operand: CelType, key: CelType): CelType {
    if (operand.kind === 'list' && (assignable(INT, key) || assignable(UINT, key))) return operand.element;
    if (operand.kind === 'map' && assignable(operand.key, key)) return operand.value;
    if (isDyn(operand)) return DYN;
    return this.noOverload(e, '_[_]', undefined, [operand, key]);
  }

  private overload(e: Expr, fn: string, target: CelType | undefined, args: CelType[]): CelType {
    const overloads = this.env.functions.get(fn);
    if (overloads === undefined) return this.fail(e, `undeclared reference to '${fn}' (in container '')`);
    let result: CelType | undefined;
    for (const o of overloads) {
      if ((o.target === undefined) !== (target === undefined)) continue;
      if (o.target !== undefined && target !== undefined && !assignable(o.target, target)) continue;
      if (o.arguments.length !== args.length || !o.arguments.every((p, i) => assignable(p, args[i]))) continue;
      result = result === undefined || String(result) === String(o.result) ? o.result : DYN;
    }
    return result ?? this.noOverload(e, fn, target, args);
  }

  private noOverload(e: Expr, fn: string, target: CelType | undefined, args: CelType[]): CelType {
    return this.fail(e, `found no matching overload for '${fn}' applied to '${formatArgs(target, args)}'`);
  }
}

function constType(c: Constant): CelType {
  switch (c.constantKind.case) {
    case 'boolValue':
      return BOOL;
    case 'int64Value':
      return INT;
    case 'uint64Value':
      return UINT;
    case 'doubleValue':
      return DOUBLE;
    case 'stringValue':
      return STRING;
    case 'bytesValue':
      return BYTES;
    case 'nullValue':
      return NULL;
    default:
      return DYN;
  }
}

/** The type of the `device` variable, `kubernetes.DRADevice`. */
export const DEVICE_TYPE = objectType('kubernetes.DRADevice');
