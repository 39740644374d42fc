/**
 * The DRA CEL selector environment (Kubernetes v1.36 `k8s.io/dynamic-resource-allocation/cel`):
 * compile a DeviceClass / request selector once, evaluate it per device.
 *
 * Pipeline: length limit → parse (@bufbuild/cel) → rewrites (`cel.bind`, cost metering) →
 * static check (checker.ts) → plan (@bufbuild/cel). Compilation results, errors included, are
 * cached per (expression, options).
 */
import { celType, isCelError, parse, plan, type CelResult } from '@bufbuild/cel';
import type { Device } from '../../model/types.js';
import { Checker, type Issue } from './checker.js';
import { costExceeded, resetCost } from './cost.js';
import { deviceValue } from './device-value.js';
import { selectorEnv } from './env.js';
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
  /** true/false for the device; throws CelRuntimeError on runtime errors (missing key, non-bool result, cost limit...). */
  evaluate(device: Device, driver: string): boolean;
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

function compile(expression: string, opts: CelOptions): CompiledSelector {
  const bytes = Buffer.byteLength(expression, 'utf8');
  if (bytes > MAX_EXPRESSION_LENGTH) {
    throw new CelCompileError(
      `compilation failed: expression is ${bytes} bytes long, over the limit of ${MAX_EXPRESSION_LENGTH} bytes (10 KiB): ${expression.slice(0, 80)}...`,
    );
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
  const { type, issues } = new Checker(env.checker).check(expr);
  if (issues.length > 0) {
    const offsets = sourceInfo?.positions ?? {};
    throw new CelCompileError(
      'compilation failed: ' + issues.map((i: Issue) => formatIssue(expression, offsets[i.exprId.toString()] ?? 0, i.message)).join('\n'),
    );
  }
  if (type.name !== 'bool' && type.name !== 'dyn') {
    throw new CelCompileError(`must evaluate to bool or the unknown type, not ${type}: ${expression}`);
  }
  const program = plan(env.runtime, expr);
  return {
    expression,
    evaluate(device: Device, driver: string): boolean {
      const input = deviceValue(device, driver, opts);
      resetCost();
      const result: CelResult = program({ device: input });
      if (costExceeded()) throw new CelRuntimeError('operation cancelled: actual cost limit exceeded');
      if (typeof result === 'boolean') return result;
      if (isCelError(result)) throw new CelRuntimeError(runtimeMessage(result.message));
      throw new CelRuntimeError(`CEL result of type ${celType(result)} could not be converted to bool`);
    },
  };
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
