/**
 * The CLI contract the engine is checked with (conformance/README.md), on a sample of cases:
 * the built `dralloc` binary, its exit codes, its stdout List and its stderr.
 */
import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { listCases, featureGatesFor, checkOutcome } from './cases.js';
import type { Outcome } from '../../src/outcome.js';

const BIN = fileURLToPath(new URL('../../build/js/cli/main.js', import.meta.url));

function cli(args: string[]): { code: number; stdout: string; stderr: string } {
  try {
    const stdout = execFileSync(process.execPath, [BIN, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return { code: 0, stdout, stderr: '' };
  } catch (e) {
    const err = e as { status: number; stdout: string; stderr: string };
    return { code: err.status, stdout: err.stdout, stderr: err.stderr };
  }
}

const SAMPLE = ['002-simple', '011-not-enough-suitable-devices', '013-unknown-class', '054-with-class-device-config', '081-partitionable-devices-prioritized-list'];

describe('dralloc allocate (CLI contract)', () => {
  for (const c of listCases().filter((x) => SAMPLE.includes(x.dir))) {
    it(c.dir, { timeout: 60_000 }, () => {
      const r = cli(['allocate', '-f', c.scenarioFile, '--node', c.expect.node, '--feature-gates', featureGatesFor(c.expect.features), '-o', 'json']);
      const want = { allocated: 0, unsatisfiable: 1, error: 2 }[c.expect.outcome];
      expect(r.code).toBe(want);
      let got: Outcome;
      if (r.code === 0) {
        const doc = JSON.parse(r.stdout);
        expect(doc.apiVersion).toBe('v1');
        expect(doc.kind).toBe('List');
        got = { kind: 'allocated', results: doc.items.map((i: { status: { allocation: unknown } }) => i.status.allocation), stats: { steps: 0 } } as Outcome;
      } else if (r.code === 1) {
        expect(r.stderr).toMatch(/^unsatisfiable: /);
        got = { kind: 'unsatisfiable', reason: r.stderr, stats: { steps: 0 } };
      } else {
        expect(r.stderr).toMatch(/^error: /);
        got = { kind: 'error', message: r.stderr };
      }
      expect(checkOutcome(c, got)).toBeUndefined();
    });
  }
});
