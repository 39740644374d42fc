/**
 * The DRA CEL selector environment (Kubernetes v1.36 `k8s.io/dynamic-resource-allocation/cel`):
 * compile a DeviceClass / request selector once, evaluate it per device.
 *
 * Pipeline: length limit → recursion limit → parse (@bufbuild/cel) → rewrites (`cel.bind`, cost metering) →
 * static check (checker.ts) → cost estimate (estimate.ts) → plan (@bufbuild/cel). Compilation results, errors included, are
 * cached per (expression, options).
 */
import { celError, celType, CelScalar, isCelError, parse, plan, type CelResult, type CelType, type CelValue } from '@bufbuild/cel';
import type { Expr } from '@bufbuild/cel-spec/cel/expr/syntax_pb.js';
import type { Device } from '../model/types.js';
import { Checker, type Issue } from './checker.js';
import { COST_LIMIT, COST_LIMIT_MESSAGE, costExceeded, costUsed, resetCost } from './cost.js';
import { estimateCost } from './estimate.js';
import { deviceValue } from './device-value.js';
import { exprDepth, MAX_RECURSION_DEPTH } from './depth.js';
import { selectorEnv, type SelectorEnv } from './env.js';
import { CelCompileError, CelRuntimeError } from './errors.js';
import { rewrite } from './rewrite.js';

export { CelCompileError, CelRuntimeError } from './errors.js';

export interface CelOptions {
  /** DRAConsumableCapacity: declares `device.allowMultipleAllocations`. */
  consumableCapacity: boolean;
  /** DRAListTypeAttributes (1.36): list-valued attributes become CEL lists. */
  listTypeAttributes: boolean;
}

export interface CompiledSelector {
  readonly expression: string;
  readonly options: CelOptions;
  /** The rewritten, checked AST (read-only: the fast path analyses it). */
  readonly ast: Expr;
  /** true/false for the device; throws CelRuntimeError on runtime errors (missing key, non-bool result, cost limit...). */
  evaluate(device: Device, driver: string): boolean;
  /**
   * Evaluates the sub-expression `node` of `ast` for a device, with a fresh cost budget: its
   * value (`undefined` when it failed: CEL error, device conversion error, budget exceeded) and
   * the cost it used. Sub-expressions are planned once each.
   */
  evaluateNode(node: Expr, device: Device, driver: string): { value: CelValue | undefined; cost: number };
}

/** Upstream `resourceapi.CELSelectorExpressionMaxLength` (bytes of UTF-8). */
export const MAX_EXPRESSION_LENGTH = 10 * 1024;

/** Bound on cached compilation results; the oldest entry is dropped beyond it. */
const CACHE_LIMIT = 4096;
const cache = new Map<string, CompiledSelector | CelCompileError>();

/** Parses + type-checks once; cached by (expression, options). Throws CelCompileError. */
export function compileSelector(expression: string, opts: CelOptions): CompiledSelector {
  const key = `${opts.consumableCapacity ? 1 : 0}${opts.listTypeAttributes ? 1 : 0}${expression}`;
  let entry = cache.get(key);
  if (entry === undefined) {
    try {
      entry = compile(expression, opts);
    } catch (e) {
      if (!(e instanceof CelCompileError)) throw e;
      entry = e;
    }
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
    cache.set(key, entry);
  }
  if (entry instanceof CelCompileError) throw entry;
  return entry;
}

/**
 * Length limit, parse, rewrites and (unless `typeCheck` is false) the static check against the
 * environment, with `variables` declared (the selector's `device` by default). Throws CelCompileError.
 */
function checkExpression(expression: string, opts: CelOptions, variables?: ReadonlyMap<string, CelType>, typeCheck = true): { expr: Expr; type: CelType; env: SelectorEnv } {
  const bytes = Buffer.byteLength(expression, 'utf8');
  if (bytes > MAX_EXPRESSION_LENGTH) {
    throw new CelCompileError(
      `compilation failed: expression is ${bytes} bytes long, over the limit of ${MAX_EXPRESSION_LENGTH} bytes (10 KiB): ${expression.slice(0, 80)}...`,
    );
  }
  if (exprDepth(expression) > MAX_RECURSION_DEPTH) {
    // cel-go reports it without a position.
    throw new CelCompileError(`compilation failed: ERROR: <input>:-1:0: expression recursion limit exceeded: ${MAX_RECURSION_DEPTH}`);
  }
  let parsed;
  try {
    parsed = parse(expression);
  } catch (e) {
    throw syntaxError(expression, (e as Error).message);
  }
  const { expr, sourceInfo } = parsed;
  rewrite(expr, sourceInfo);
  const env = selectorEnv(opts);
  if (!typeCheck) return { expr, type: CelScalar.DYN, env };
  const checker = variables === undefined ? env.checker : { ...env.checker, variables };
  const { type, issues } = new Checker(checker).check(expr);
  if (issues.length > 0) {
    const offsets = sourceInfo?.positions ?? {};
    throw new CelCompileError(
      'compilation failed: ' + issues.map((i: Issue) => formatIssue(expression, offsets[i.exprId.toString()] ?? 0, i.message)).join('\n'),
    );
  }
  return { expr, type, env };
}

/**
 * Any CEL expression in the selector environment, with its own variables instead of `device`
 * (the cel-spec conformance test runs the standard library through this): a program giving
 * the raw CEL result. Not cached; throws CelCompileError.
 */
export function compileExpression(
  expression: string,
  opts: CelOptions,
  variables: ReadonlyMap<string, CelType>,
  typeCheck = true,
): (bindings: Record<string, CelValue>) => CelResult {
  const { expr, env } = checkExpression(expression, opts, variables, typeCheck);
  const program = plan(env.runtime, expr);
  return (bindings) =>
    withoutStacks(() => {
      resetCost();
      const result = program(bindings);
      return costExceeded() ? celError(COST_LIMIT_MESSAGE) : result;
    });
}

function compile(expression: string, opts: CelOptions): CompiledSelector {
  const { expr, type, env } = checkExpression(expression, opts);
  if (type.name !== 'bool' && type.name !== 'dyn') {
    throw new CelCompileError(`must evaluate to bool or the unknown type, not ${type}: ${expression}`);
  }
  const estimated = estimateCost(expr);
  if (estimated > COST_LIMIT) {
    throw new CelCompileError(`too complex, exceeds cost limit: estimated cost ${estimated} is over the limit of ${COST_LIMIT}: ${expression}`);
  }
  const program = plan(env.runtime, expr);
  const nodePrograms = new Map<Expr, typeof program>();
  return {
    expression,
    options: opts,
    ast: expr,
    evaluate(device: Device, driver: string): boolean {
      return withoutStacks(() => {
        const input = deviceValue(device, driver, opts);
        resetCost();
        const result: CelResult = program({ device: input });
        if (costExceeded()) throw new CelRuntimeError(COST_LIMIT_MESSAGE);
        if (typeof result === 'boolean') return result;
        if (isCelError(result)) throw new CelRuntimeError(runtimeMessage(result.message));
        throw new CelRuntimeError(`CEL result of type ${celType(result)} could not be converted to bool`);
      });
    },
    evaluateNode(node: Expr, device: Device, driver: string) {
      let nodeProgram = nodePrograms.get(node);
      if (nodeProgram === undefined) {
        nodeProgram = plan(env.runtime, node);
        nodePrograms.set(node, nodeProgram);
      }
      let input;
      try {
        input = deviceValue(device, driver, opts);
      } catch (e) {
        if (e instanceof CelRuntimeError) return { value: undefined, cost: 0 };
        throw e;
      }
      resetCost();
      const value = withoutStacks(() => nodeProgram!({ device: input }));
      return { value: costExceeded() || isCelError(value) ? undefined : value, cost: costUsed() };
    },
  };
}

/**
 * Runs `f` with stack capture off: @bufbuild/cel represents CEL errors (a missing key, a type
 * mismatch) as Error objects, and capturing their stacks dominated evaluation time. Nothing
 * reads those stacks (CelRuntimeErrors thrown from here carry none either); evaluation is
 * synchronous, so the setting is restored before anyone else runs.
 */
function withoutStacks<T>(f: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return f();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** cel-go's wording for a missing map key (@bufbuild/cel says "field not found"). */
function runtimeMessage(message: string): string {
  return message.startsWith('field not found: ') ? 'no such key: ' + message.slice('field not found: '.length) : message;
}

/** cel-go issue format: `ERROR: <input>:L:C: message`, the source line, a caret under column C. */
function formatIssue(expression: string, offset: number, message: string): string {
  const before = expression.slice(0, offset);
  const line = before.split('\n').length;
  const lineStart = before.lastIndexOf('\n') + 1;
  const column = offset - lineStart + 1;
  const lineEnd = expression.indexOf('\n', lineStart);
  const text = expression.slice(lineStart, lineEnd === -1 ? undefined : lineEnd);
  return `ERROR: <input>:${line}:${column}: ${message}\n | ${text}\n | ${'.'.repeat(column - 1)}^`;
}

/** Parser errors arrive as `<input>:L:C: text`; re-shape them like cel-go's syntax errors. */
function syntaxError(expression: string, message: string): CelCompileError {
  const m = /^<input>:(\d+):(\d+): ([\s\S]*)$/.exec(message);
  if (m === null) return new CelCompileError(`compilation failed: ERROR: <input>: Syntax error: ${message}\n | ${expression}`);
  const [line, column] = [Number(m[1]), Number(m[2])];
  const lines = expression.split('\n');
  let offset = column - 1;
  for (let i = 0; i < line - 1; i++) offset += lines[i].length + 1;
  return new CelCompileError('compilation failed: ' + formatIssue(expression, offset, `Syntax error: ${m[3]}`));
}
