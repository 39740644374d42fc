/**
 * AST rewrites applied after parsing and before checking/planning:
 * - `cel.bind(v, init, body)` (cel-go ext.Bindings) becomes the comprehension cel-go expands it
 *   to: no iterations, accumulator `v` = `init`, result `body`;
 * - two-variable comprehensions (cel-go TwoVarComprehensions: `all`, `exists`, `existsOne`,
 *   `transformList`, `transformMap`, `transformMapEntry` with two iteration variables) become
 *   one-variable comprehensions over `@entries(range)` (pairs `[index|key, value]`), the two
 *   variables bound per iteration with `cel.bind`;
 * - every comprehension's loop condition `c` becomes `@cost(c, w)`, which charges `w` (the node
 *   count of one iteration) against the evaluation's cost budget and stops the loop once the
 *   budget is exhausted (see cost.ts).
 * Nodes are rewritten in place; new nodes get fresh ids positioned at the node they replace.
 */
import { create, type MessageInitShape } from '@bufbuild/protobuf';
import { ExprSchema, Expr_ComprehensionSchema, type Expr, type SourceInfo } from '@bufbuild/cel-spec/cel/expr/syntax_pb.js';
import { COST_FUNCTION } from './cost.js';
import { ENTRIES, MAP_INSERT, MAP_MERGE } from './comprehension-lib.js';

type ExprKind = Expr['exprKind'];
type ExprKindInit = NonNullable<MessageInitShape<typeof ExprSchema>['exprKind']>;

class Rewriter {
  private nextId: bigint;

  constructor(
    root: Expr,
    private readonly info: SourceInfo | undefined,
  ) {
    let max = 0n;
    visit(root, (e) => {
      if (e.id > max) max = e.id;
    });
    this.nextId = max + 1n;
  }

  /** A new node positioned where `at` is. */
  node(at: Expr, exprKind: ExprKindInit): Expr {
    const id = this.nextId++;
    const pos = this.info?.positions[at.id.toString()];
    if (this.info !== undefined && pos !== undefined) this.info.positions[id.toString()] = pos;
    return create(ExprSchema, { id, exprKind });
  }

  private ident(at: Expr, name: string): Expr {
    return this.node(at, { case: 'identExpr', value: { name } });
  }

  private call(at: Expr, fn: string, ...args: Expr[]): Expr {
    return this.node(at, { case: 'callExpr', value: { function: fn, args } });
  }

  private constant(at: Expr, value: boolean | bigint): Expr {
    const constantKind = typeof value === 'boolean' ? { case: 'boolValue' as const, value } : { case: 'int64Value' as const, value };
    return this.node(at, { case: 'constExpr', value: { constantKind } });
  }

  private comprehension(at: Expr, c: Omit<MessageInitShape<typeof Expr_ComprehensionSchema>, '$typeName'>): ExprKind {
    return { case: 'comprehensionExpr', value: create(Expr_ComprehensionSchema, c) };
  }

  /** `cel.bind(name, init, body)`: a comprehension without iterations whose accumulator is `name`. */
  private bind(at: Expr, name: string, init: Expr, body: Expr): ExprKind {
    return this.comprehension(at, {
      iterVar: '#unused',
      iterRange: this.node(at, { case: 'listExpr', value: { elements: [] } }),
      accuVar: name,
      accuInit: init,
      loopCondition: this.constant(at, false),
      loopStep: this.ident(at, name),
      result: body,
    });
  }

  /** `body` with the two comprehension variables bound to the current entry `[key, value]`. */
  private withEntry(first: string, second: string, body: Expr): Expr {
    const entry = (i: bigint) => this.call(body, '_[_]', this.ident(body, ITER), this.constant(body, i));
    const inner = this.node(body, this.bind(body, second, entry(1n), body));
    return this.node(body, this.bind(body, first, entry(0n), inner));
  }

  /** cel-go TwoVarComprehensions, iterating over `@entries(range)` (see comprehension-lib.ts). */
  private twoVar(e: Expr, macro: string, range: Expr, first: string, second: string, rest: Expr[]): ExprKind | undefined {
    const accu = () => this.ident(e, RESULT);
    const body = (x: Expr) => this.withEntry(first, second, x);
    const filtered = (step: Expr, filter: Expr | undefined) =>
      filter === undefined ? step : this.call(e, '_?_:_', body(filter), step, accu());
    const loop = (accuInit: Expr, loopCondition: Expr, loopStep: Expr, result: Expr) =>
      this.comprehension(e, { iterVar: ITER, iterRange: this.call(e, ENTRIES, range), accuVar: RESULT, accuInit, loopCondition, loopStep, result });
    const [a, b] = rest;
    const [filter, expr] = rest.length === 2 ? [a, b] : [undefined, a];
    switch (rest.length === 1 ? macro : `${macro}/4`) {
      case 'all':
        return loop(this.constant(e, true), this.call(e, '@not_strictly_false', accu()), this.call(e, '_&&_', accu(), body(a)), accu());
      case 'exists':
        return loop(
          this.constant(e, false),
          this.call(e, '@not_strictly_false', this.call(e, '!_', accu())),
          this.call(e, '_||_', accu(), body(a)),
          accu(),
        );
      case 'existsOne':
      case 'exists_one':
        return loop(
          this.constant(e, 0n),
          this.constant(e, true),
          this.call(e, '_?_:_', body(a), this.call(e, '_+_', accu(), this.constant(e, 1n)), accu()),
          this.call(e, '_==_', accu(), this.constant(e, 1n)),
        );
      case 'transformList':
      case 'transformList/4': {
        const item = this.node(e, { case: 'listExpr', value: { elements: [body(expr)] } });
        const empty = this.node(e, { case: 'listExpr', value: { elements: [] } });
        return loop(empty, this.constant(e, true), filtered(this.call(e, '_+_', accu(), item), filter), accu());
      }
      case 'transformMap':
      case 'transformMap/4':
      case 'transformMapEntry':
      case 'transformMapEntry/4': {
        const step = macro === 'transformMap'
          ? this.call(e, MAP_INSERT, accu(), this.call(e, '_[_]', this.ident(e, ITER), this.constant(e, 0n)), body(expr))
          : this.call(e, MAP_MERGE, accu(), body(expr));
        const empty = this.node(e, { case: 'structExpr', value: { entries: [] } });
        return loop(empty, this.constant(e, true), filtered(step, filter), accu());
      }
      default:
        return undefined;
    }
  }

  rewrite(e: Expr): void {
    for (const child of children(e)) this.rewrite(child);
    const k = e.exprKind;
    if (k.case === 'callExpr' && isBind(k.value)) {
      const [name, init, body] = k.value.args;
      e.exprKind = this.bind(e, identName(name), init, body);
      return;
    }
    if (k.case === 'callExpr' && isTwoVar(k.value)) {
      const [first, second, ...rest] = k.value.args;
      const expanded = this.twoVar(e, k.value.function, k.value.target as Expr, identName(first), identName(second), rest);
      if (expanded !== undefined) e.exprKind = expanded;
    }
    const c = e.exprKind;
    if (c.case === 'comprehensionExpr' && c.value.loopCondition && c.value.loopStep) {
      const cond = c.value.loopCondition;
      const weight = BigInt(size(cond) + size(c.value.loopStep));
      c.value.loopCondition = this.call(cond, COST_FUNCTION, cond, this.constant(cond, weight));
    }
  }
}

/** Names of the internal iteration variable and accumulator (not valid CEL identifiers). */
const ITER = '@it';
const RESULT = '@result';

function identName(e: Expr): string {
  return (e.exprKind as Extract<ExprKind, { case: 'identExpr' }>).value.name;
}

function isBind(call: Extract<ExprKind, { case: 'callExpr' }>['value']): boolean {
  const t = call.target;
  return (
    call.function === 'bind' &&
    t?.exprKind.case === 'identExpr' &&
    t.exprKind.value.name === 'cel' &&
    call.args.length === 3 &&
    call.args[0].exprKind.case === 'identExpr'
  );
}

/** `range.macro(a, b, ...)` with two identifier arguments first: a two-variable comprehension candidate. */
function isTwoVar(call: Extract<ExprKind, { case: 'callExpr' }>['value']): boolean {
  return (
    call.target !== undefined &&
    (call.args.length === 3 || call.args.length === 4) &&
    call.args[0].exprKind.case === 'identExpr' &&
    call.args[1].exprKind.case === 'identExpr'
  );
}

/** Direct sub-expressions of a node. */
export function children(e: Expr): Expr[] {
  const k = e.exprKind;
  switch (k.case) {
    case 'selectExpr':
      return k.value.operand ? [k.value.operand] : [];
    case 'callExpr':
      return k.value.target ? [k.value.target, ...k.value.args] : k.value.args;
    case 'listExpr':
      return k.value.elements;
    case 'structExpr':
      return k.value.entries.flatMap((en) => [
        ...(en.keyKind.case === 'mapKey' ? [en.keyKind.value] : []),
        ...(en.value ? [en.value] : []),
      ]);
    case 'comprehensionExpr': {
      const c = k.value;
      return [c.iterRange, c.accuInit, c.loopCondition, c.loopStep, c.result].filter((x): x is Expr => x !== undefined);
    }
    default:
      return [];
  }
}

function visit(e: Expr, f: (e: Expr) => void): void {
  f(e);
  for (const c of children(e)) visit(c, f);
}

function size(e: Expr): number {
  let n = 0;
  visit(e, () => n++);
  return n;
}

/** Applies the rewrites to `root` (in place; `info` gains positions for new nodes). */
export function rewrite(root: Expr, info: SourceInfo | undefined): void {
  new Rewriter(root, info).rewrite(root);
}
