/**
 * Fuzz: every command that reads files, on mutated inputs (and the hostile fixtures), with a
 * small time budget. Each run ends with exit 0, 1 or 2 — on 2 a one-line `error: ...` — and
 * never a hang, a thrown exception (the CLI's "internal error"), or a stack trace in its output.
 * The bound on a hang is the test's own timeout: every search has a 100 ms filter timeout.
 */
import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { main } from '../../src/cli/main.js';
import { mutate, rng, serialise } from './mutate.js';
import { FULL, runs } from '../full.js';

const INPUTS = runs(400, 25);
const BUDGET = ['--filter-timeout', '100ms'];
const dir = mkdtempSync(join(tmpdir(), 'dralloc-fuzz-cmd-'));
const bases = ['test/fixtures/explain/cluster.yaml', 'test/fixtures/hostile/corrupt/cluster.yaml', 'test/fixtures/hostile/distinct/cluster.yaml']
  .flatMap((f) => parseAllDocuments(readFileSync(f, 'utf8')).map((d) => d.toJS() as unknown))
  .filter((d) => d !== null);

/** Every file-reading command, with its flags; `F` is replaced by the input file. */
const COMMANDS: string[][] = [
  ['allocate', '-f', 'F', '--node', 'n1', ...BUDGET],
  ['allocate', '-f', 'F', '--node', 'n2', '--max-steps', '500', '-o', 'json'],
  ['schedule', '-f', 'F', '-o', 'json', '--quiet', ...BUDGET],
  ['schedule', '-f', 'F', '-o', 'stats', '--strategy', 'pack', '--quiet', ...BUDGET],
  ['report', '-f', 'F', '-o', join(dir, 'r.html'), '--quiet', ...BUDGET],
  ['explain', '-f', 'F', '--claim', 'c-any', ...BUDGET],
  ['explain', '-f', 'F', '--claim', 'distinct8', '-o', 'json', ...BUDGET],
  ['lint', '-f', 'F'],
  ['evictions', '-f', 'F', '--now', '2026-01-01T00:00:00Z'],
  ['health', '-f', 'F', '-o', 'json'],
];

async function run(args: string[]) {
  const out = { stdout: '', stderr: '' };
  const code = await main(args, { stdout: (t) => void (out.stdout += t), stderr: (t) => void (out.stderr += t), readStdin: async () => '' });
  return { code, ...out };
}

function expectClean(args: string[], r: { code: number; stdout: string; stderr: string }): void {
  const what = `dralloc ${args.join(' ')}: exit ${r.code}, stderr: ${r.stderr.slice(0, 300)}`;
  expect([0, 1, 2], what).toContain(r.code);
  // explain's exit 2 (the allocator errs on every node) comes with the explanation itself.
  if (r.code === 2 && !(args[0] === 'explain' && r.stdout.length > 0)) expect(r.stderr, what).toMatch(/(^|\n)error: \S/); // after any warnings
  expect(r.stderr + r.stdout, what).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n|internal error|Maximum call stack/);
}

describe('fuzz: every command on mutated input, with a time budget', () => {
  it(`${INPUTS} mutated inputs × ${COMMANDS.length} command lines: an answer or a clear error`, { timeout: FULL ? 1_200_000 : 240_000 }, async () => {
    const r = rng(20261202);
    const codes = new Map<number, number>();
    for (let i = 0; i < INPUTS; i++) {
      const docs = [...bases.filter(() => r() < 0.7), ...Array.from({ length: 1 + Math.floor(r() * 3) }, () => mutate(bases[Math.floor(r() * bases.length)], r))];
      const file = join(dir, `in-${i}.yaml`);
      writeFileSync(file, docs.map((d) => serialise(d, r)).join('\n---\n'));
      for (const line of COMMANDS) {
        const args = line.map((a) => (a === 'F' ? file : a));
        const result = await run(args);
        expectClean(args, result);
        codes.set(result.code, (codes.get(result.code) ?? 0) + 1);
      }
    }
    // Both answers and errors occur (the inputs are not all rejected, nor all accepted).
    expect(codes.get(2) ?? 0).toBeGreaterThan(0);
    expect((codes.get(0) ?? 0) + (codes.get(1) ?? 0)).toBeGreaterThan(0);
  });

  it('the hostile fixtures through every command: bounded, clear', { timeout: 240_000 }, async () => {
    const hostile = [
      ['test/fixtures/hostile/distinct/cluster.yaml', 'test/fixtures/hostile/distinct/claim.yaml', 'test/fixtures/hostile/distinct/pods.yaml'],
      ['test/fixtures/hostile/cel-cluster.yaml', 'test/fixtures/hostile/cel-doubling-25.yaml', 'test/fixtures/hostile/cel-deep-500.yaml'],
      ['test/fixtures/hostile/symlink-loop'],
      ['test/fixtures/hostile/duplicate-keys.json'],
      ['test/fixtures/hostile/corrupt/cluster.yaml', 'test/fixtures/hostile/corrupt/double.yaml'],
    ];
    for (const files of hostile) {
      for (const line of COMMANDS) {
        const args = line.flatMap((a) => (a === 'F' ? files.flatMap((f, k) => (k === 0 ? [f] : ['-f', f])) : [a]));
        expectClean(args, await run(args));
      }
    }
  });

  it('bad and extreme flag values: usage errors naming the flag, never a crash', { timeout: 60_000 }, async () => {
    const r = rng(7);
    const values = ['-1', '-5', '0', '1e9', '4294967297', '9007199254740993', 'NaN', '', '--', '-0.5s', '10', '1h', '1x', '\u0000'];
    for (let i = 0; i < 60; i++) {
      const flag = ['--filter-timeout', '--max-steps', '--scale', '--seed', '--resync-seconds'][Math.floor(r() * 5)];
      const value = values[Math.floor(r() * values.length)];
      const command = flag === '--scale' || flag === '--seed' ? ['gen', '--workload', 'gpu-5k', '-o', join(dir, 'never')] : flag === '--resync-seconds' ? ['scheduler', '--scheduler-name', 's'] : ['allocate', '-f', 'missing.yaml', '--node', 'n1'];
      const args = [...command, flag, value];
      const result = await run(args);
      expectClean(args, result);
      // Refused: by the flag's own check (naming it), or later for the missing input file or cluster.
      if (result.code === 2) expect(result.stderr.split('\n')[0], args.join(' ')).toMatch(new RegExp(`${flag}|missing\\.yaml|no kubeconfig`));
    }
  });
});
