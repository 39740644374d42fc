/**
 * Issue 11 part 2, item 3: CEL selectors are bounded by upstream's limits, not by time or memory.
 * - Runtime cost: calls are charged by the size of their arguments as cel-go charges them
 *   (string concatenation 0.1 per character, rounded up), so a string doubled 25 times with
 *   cel.bind hits the runtime cost limit (1,000,000) instead of building ~400 million characters.
 * - Nesting: cel-go's parser recursion limit (250) instead of a JS stack overflow.
 */
import { describe, it, expect } from 'vitest';
import { CelScalar } from '@bufbuild/cel';
import { compileExpression, compileSelector } from '../../src/cel/index.js';
import { costUsed } from '../../src/cel/cost.js';
import { exprDepth } from '../../src/cel/depth.js';
import { main } from '../../src/cli/main.js';

const OPTS = { consumableCapacity: true, listTypeAttributes: false };
const H = 'test/fixtures/hostile';

async function run(args: string[]) {
  const out = { stdout: '', stderr: '' };
  const code = await main(args, { stdout: (t) => void (out.stdout += t), stderr: (t) => void (out.stderr += t), readStdin: async () => '' });
  return { code, ...out };
}

/** The cost cel-go charges for evaluating `expression` with string variables a and b. */
function cost(expression: string, a: string, b = ''): number {
  const program = compileExpression(expression, OPTS, new Map([['a', CelScalar.STRING], ['b', CelScalar.STRING]]));
  program({ a, b });
  return costUsed();
}

describe('CEL runtime cost of sizes', () => {
  it('charges concatenation, traversals and regexes by size as cel-go does', () => {
    // AddString: ceil((25 + 26) × 0.1) = 6.
    expect(cost('a + b', 'x'.repeat(25), 'y'.repeat(26))).toBe(6);
    // Characters, not UTF-16 units: 10 emoji + 1 = 11 characters → ceil(1.1) = 2.
    expect(cost('a + b', '😀'.repeat(10), 'a')).toBe(2);
    // startsWith: ceil(size(receiver) × 0.1) = ceil(3.1) = 4.
    expect(cost('a.startsWith(b)', 'x'.repeat(31), 'x')).toBe(4);
    // matches: ceil((1 + 19) × 0.1) × ceil(8 × 0.25) = 2 × 2 = 4.
    expect(cost('a.matches(b)', 'x'.repeat(19), '^x+y?z*')).toBe(2 * 2);
    // contains: ceil(40 × 0.1) × ceil(11 × 0.1) = 4 × 2 = 8.
    expect(cost('a.contains(b)', 'x'.repeat(40), 'x'.repeat(11))).toBe(8);
    // ==: ceil(min(30, 5) × 0.1) = 1; split: ceil(30 × 0.2) = 6.
    expect(cost('a == b', 'x'.repeat(30), 'y'.repeat(5))).toBe(1);
    expect(cost('a.split(b).size() > 0', 'x'.repeat(30), ',')).toBe(6);
    // Integers, lists: O(1) in cel-go, nothing size-dependent to charge.
    expect(cost('[1, 2] + [3] == [1, 2, 3] || 1 + 2 == 3', '')).toBeLessThanOrEqual(1);
  });

  it('a string doubled 25 times per device is stopped by the runtime cost limit, in allocate', { timeout: 60_000 }, async () => {
    const { code, stderr } = await run(['allocate', '-f', `${H}/cel-cluster.yaml`, '-f', `${H}/cel-doubling-25.yaml`, '--node', 'n1']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^error: claim default\/doubling-25: selector #0: CEL runtime error: operation cancelled: actual cost limit exceeded \(request r, expression: cel\.bind\(s1, /);
  });

  it('doubled 15 times it stays under the limit (cost ~85,000) and allocates', { timeout: 60_000 }, async () => {
    const { code, stdout } = await run(['allocate', '-f', `${H}/cel-cluster.yaml`, '-f', `${H}/cel-doubling-15.yaml`, '--node', 'n1', '-o', 'json']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout).items[0].status.allocation.devices.results[0].device).toBe('dev-0');
  });
});

describe('CEL nesting', () => {
  it('measures the depth of expr rules as cel-go\'s parser counts them', () => {
    expect(exprDepth('device.driver == "x"')).toBe(1);
    expect(exprDepth('((a))')).toBe(3);
    expect(exprDepth('f(a, [b, {c: (d)}])')).toBe(5);
    expect(exprDepth('a ? b : c ? d : e')).toBe(3);
    expect(exprDepth('"((((" + \'[[\' + r"\\(" + """ ) """')).toBe(1);
  });

  it('depth 250 compiles, beyond it is cel-go\'s parser error, never a JS stack overflow', () => {
    const nested = (n: number) => '('.repeat(n) + 'device.driver == "x"' + ')'.repeat(n);
    expect(compileSelector(nested(249), OPTS).evaluate({ name: 'd' }, 'x')).toBe(true);
    for (const n of [250, 500, 5000]) {
      expect(() => compileSelector(nested(n), OPTS)).toThrow(/^compilation failed: ERROR: <input>:-1:0: expression recursion limit exceeded: 250$/);
    }
  });

  it('allocate and lint report the deep-500 fixture with that error', { timeout: 60_000 }, async () => {
    const files = ['-f', `${H}/cel-cluster.yaml`, '-f', `${H}/cel-deep-500.yaml`];
    const allocate = await run(['allocate', ...files, '--node', 'n1']);
    expect(allocate.code).toBe(2);
    expect(allocate.stderr).toBe('error: claim default/deep-500: selector #0: CEL compile error: compilation failed: ERROR: <input>:-1:0: expression recursion limit exceeded: 250\n');
    const lint = await run(['lint', ...files]);
    expect(lint.code).toBe(1);
    expect(lint.stdout + lint.stderr).toContain('compilation failed: ERROR: <input>:-1:0: expression recursion limit exceeded: 250');
    expect(lint.stdout + lint.stderr).not.toContain('Maximum call stack');
  });
});
