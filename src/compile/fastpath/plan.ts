/**
 * Splits a checked selector AST into the shape the fast path evaluates by columns: a tree of
 * `&&`, `||` and `!` over *leaves*. A leaf is any other sub-expression; it is *keyed* when every
 * use of `device` in it is one of
 *   `device.driver`, `device.allowMultipleAllocations`,
 *   `device.attributes[D][N]`, `device.attributes[D].N`, `has(device.attributes[D].N)`,
 *   `N in device.attributes[D]` (and the same for `device.capacity`), with D and N string constants,
 * so that its value on a device depends only on those columns' values. Other leaves are
 * *opaque* (e.g. `device.attributes[D].size()`, `cel.bind(a, device.attributes[D], ...)`) and
 * are left to the evaluator.
 */
import type { Expr } from '@bufbuild/cel-spec/cel/expr/syntax_pb.js';
import { children } from '../../cel/rewrite.js';
import { keyText, type ColumnKey } from './columns.js';
import { someLeaf, type Logic } from './logic.js';

export type CelLeaf = { op: 'leaf'; node: Expr; keys: ColumnKey[]; loops: boolean } | { op: 'opaque'; loops: boolean };
export type LogicPlan = Logic<CelLeaf>;

const DEVICE = 'device';

/** The plan of a selector AST, or undefined when it has no keyed leaf (nothing to gain). */
export function logicPlan(ast: Expr): LogicPlan | undefined {
  if (shadowsDevice(ast)) return undefined;
  const plan = split(ast);
  return someLeaf(plan, (l) => l.op === 'leaf') ? plan : undefined;
}

function split(e: Expr): LogicPlan {
  const k = e.exprKind;
  if (k.case === 'callExpr' && k.value.target === undefined) {
    const { function: fn, args } = k.value;
    if ((fn === '_&&_' || fn === '_||_') && args.length === 2) return { op: fn === '_&&_' ? 'and' : 'or', args: args.map(split) };
    if (fn === '!_' && args.length === 1) return { op: 'not', arg: split(args[0]) };
  }
  const keys = new Map<string, ColumnKey>();
  const keyed = collectKeys(e, keys);
  const loops = hasLoop(e);
  return keyed ? { op: 'leaf', node: e, keys: [...keys.values()], loops } : { op: 'opaque', loops };
}

/** Adds the keys `e` reads to `into`; false when `e` uses `device` in any other way. */
function collectKeys(e: Expr, into: Map<string, ColumnKey>): boolean {
  const key = keyRef(e);
  if (key !== undefined) {
    into.set(keyText(key), key);
    return true;
  }
  if (isIdent(e, DEVICE)) return false;
  return children(e).every((c) => collectKeys(c, into));
}

/** The column a node reads when it is one of the keyed patterns. */
function keyRef(e: Expr): ColumnKey | undefined {
  const k = e.exprKind;
  if (k.case === 'selectExpr' && k.value.operand !== undefined) {
    const { operand, field, testOnly } = k.value;
    if (!testOnly && isIdent(operand, DEVICE) && (field === 'driver' || field === 'allowMultipleAllocations')) return { kind: field };
    const domain = domainRef(operand);
    if (domain !== undefined) return { ...domain, name: field };
    return undefined;
  }
  if (k.case === 'callExpr' && k.value.target === undefined && k.value.args.length === 2) {
    const [a, b] = k.value.args;
    if (k.value.function === '_[_]') {
      const domain = domainRef(a);
      const name = stringConst(b);
      if (domain !== undefined && name !== undefined) return { ...domain, name };
    }
    if (k.value.function === '@in') {
      const domain = domainRef(b);
      const name = stringConst(a);
      if (domain !== undefined && name !== undefined) return { ...domain, name };
    }
  }
  return undefined;
}

/** `device.attributes[D]` / `device.attributes.D` (or capacity) with a constant D. */
function domainRef(e: Expr): { kind: 'attributes' | 'capacity'; domain: string } | undefined {
  const k = e.exprKind;
  if (k.case === 'callExpr' && k.value.function === '_[_]' && k.value.target === undefined && k.value.args.length === 2) {
    const kind = deviceMap(k.value.args[0]);
    const domain = stringConst(k.value.args[1]);
    if (kind !== undefined && domain !== undefined) return { kind, domain };
  }
  if (k.case === 'selectExpr' && !k.value.testOnly && k.value.operand !== undefined) {
    const kind = deviceMap(k.value.operand);
    if (kind !== undefined) return { kind, domain: k.value.field };
  }
  return undefined;
}

function deviceMap(e: Expr): 'attributes' | 'capacity' | undefined {
  const k = e.exprKind;
  if (k.case !== 'selectExpr' || k.value.testOnly || k.value.operand === undefined || !isIdent(k.value.operand, DEVICE)) return undefined;
  return k.value.field === 'attributes' || k.value.field === 'capacity' ? k.value.field : undefined;
}

function stringConst(e: Expr): string | undefined {
  const k = e.exprKind;
  return k.case === 'constExpr' && k.value.constantKind.case === 'stringValue' ? k.value.constantKind.value : undefined;
}

function isIdent(e: Expr, name: string): boolean {
  return e.exprKind.case === 'identExpr' && e.exprKind.value.name === name;
}

/** Whether a comprehension (after rewrite: also `cel.bind`) binds a variable named `device`. */
function shadowsDevice(e: Expr): boolean {
  const k = e.exprKind;
  if (k.case === 'comprehensionExpr' && (k.value.iterVar === DEVICE || k.value.accuVar === DEVICE)) return true;
  return children(e).some(shadowsDevice);
}

function hasLoop(e: Expr): boolean {
  return e.exprKind.case === 'comprehensionExpr' || children(e).some(hasLoop);
}

/** An attribute or capacity a selector reads: `device.<kind>[domain]`, and `.name` when it goes on to one. */
export interface Reference {
  kind: 'attributes' | 'capacity';
  domain: string;
  name?: string;
}

/**
 * The attribute and capacity references of a selector AST, in source order (diagnostics).
 * `guards: false` leaves out the names that guards test — `has(device.attributes[D].N)` whole,
 * and N of `N in device.attributes[D]` (its domain stays): lint's policy, a guard being false for
 * devices without the name is what it is written for.
 */
export function references(ast: Expr, opts: { guards?: boolean } = {}): Reference[] {
  const out: Reference[] = [];
  const visit = (e: Expr): void => {
    const key = keyRef(e);
    if (key !== undefined) {
      if (key.kind !== 'attributes' && key.kind !== 'capacity') return;
      const k = e.exprKind;
      if (opts.guards === false && k.case === 'selectExpr' && k.value.testOnly) return;
      if (opts.guards === false && k.case === 'callExpr' && k.value.function === '@in') out.push({ kind: key.kind, domain: key.domain });
      else out.push(key);
      return;
    }
    const domain = domainRef(e);
    if (domain !== undefined) out.push(domain);
    children(e).forEach(visit);
  };
  visit(ast);
  return out;
}
