/**
 * `dralloc schedule -o json` must stay byte-identical to the outputs recorded before the
 * resident-engine work (see workloads.ts): every gen workload, seeds 1–3, fit and overfull,
 * both strategies. Only the random shareIDs are masked (withoutShareIds).
 */
import { describe, it, expect, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { withoutShareIds, cases, FIXTURES, scheduleJson, writeInput } from './workloads.js';

const tmp = mkdtempSync(join(tmpdir(), 'dralloc-regression-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const exitCodes = JSON.parse(readFileSync(join(FIXTURES, 'exit-codes.json'), 'utf8')) as Record<string, number>;

/** The first differing line, with its number, so a failure says where the output moved. */
function firstDifference(actual: string, expected: string): string {
  const a = actual.split('\n');
  const e = expected.split('\n');
  for (let i = 0; i < Math.max(a.length, e.length); i++) if (a[i] !== e[i]) return `line ${i + 1}: got ${JSON.stringify(a[i])}, want ${JSON.stringify(e[i])}`;
  return 'identical';
}

describe('schedule output is unchanged on every gen workload', () => {
  for (const c of cases()) {
    it(c.fixture, { timeout: 60_000 }, async () => {
      const dir = writeInput(join(tmp, `${c.workload}-${c.seed}-${c.variant}`), c.workload, c.seed, c.variant);
      const r = await scheduleJson(dir, c.strategy);
      const expected = gunzipSync(readFileSync(join(FIXTURES, c.fixture))).toString('utf8');
      expect(r.code).toBe(exitCodes[c.fixture]);
      expect(firstDifference(withoutShareIds(r.stdout), expected)).toBe('identical');
    });
  }
});
