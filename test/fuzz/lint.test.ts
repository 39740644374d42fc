/**
 * Fuzz: thousands of mutated objects into lint. Every input must give findings (or none),
 * never an exception or a hang.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { lintString } from '../../src/lint/index.js';
import { mutate, rng, serialise } from './mutate.js';
import { runs } from '../full.js';

const CEL = { consumableCapacity: true, listTypeAttributes: false };
const bases = ['test/fixtures/explain/cluster.yaml', 'test/fixtures/lint/rules.yaml', 'examples/a100/cluster.yaml']
  .flatMap((f) => parseAllDocuments(readFileSync(f, 'utf8')).map((d) => d.toJS() as unknown))
  .filter((d) => d !== null);

describe('fuzz: lint', () => {
  const N = runs(1200, 300);
  it(`${N} mutated objects: findings, never a crash`, { timeout: 300_000 }, () => {
    const r = rng(20260507);
    let withFindings = 0;
    for (let i = 0; i < N; i++) {
      const docs = Array.from({ length: 1 + Math.floor(r() * 3) }, () => mutate(bases[Math.floor(r() * bases.length)], r));
      const text = docs.map((d) => serialise(d, r)).join(r() < 0.5 ? '\n---\n' : '\n');
      const findings = lintString(text, `fuzz-${i}.yaml`, CEL);
      for (const f of findings) {
        expect(typeof f.message).toBe('string');
        expect(f.file).toBe(`fuzz-${i}.yaml`);
      }
      if (findings.length > 0) withFindings++;
    }
    // Mutations mostly break something: most inputs must be reported, not silently accepted.
    expect(withFindings).toBeGreaterThan(N / 2);
  });
});
