/**
 * Fuzz: mutated Pods, claims, templates and slices into `schedule`. Each input is rejected by
 * the loader (InputError) or scheduled: every Pod ends placed or with a message, and nothing
 * else escapes. (A fresh engine per input: schedule commits allocations.)
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { Engine } from '../../src/engine.js';
import { loadText } from '../../src/model/load.js';
import { InputError } from '../../src/model/errors.js';
import { schedule } from '../../src/schedule/scheduler.js';
import { mutate, rng, serialise } from './mutate.js';
import { runs } from '../full.js';

const PODS = `
apiVersion: v1
kind: Pod
metadata: {name: p1, namespace: default}
spec:
  resourceClaims: [{name: gpu, resourceClaimTemplateName: t}]
---
apiVersion: v1
kind: Pod
metadata: {name: p2, namespace: default}
spec:
  resourceClaims: [{name: gpu, resourceClaimName: c-any}]
---
apiVersion: resource.k8s.io/v1
kind: ResourceClaimTemplate
metadata: {name: t, namespace: default}
spec:
  spec:
    devices:
      requests: [{name: r, exactly: {deviceClassName: a100}}]
`;
const bases = parseAllDocuments(readFileSync('test/fixtures/explain/cluster.yaml', 'utf8') + '\n---\n' + PODS).map((d) => d.toJS() as unknown);

describe('fuzz: schedule', () => {
  const N = runs(300, 150);
  it(`${N} mutated inputs: every Pod placed or explained, never a crash`, { timeout: 300_000 }, async () => {
    const r = rng(99);
    let scheduled = 0;
    for (let i = 0; i < N; i++) {
      const which = Math.floor(r() * bases.length);
      const docs = bases.map((b, k) => (k === which ? mutate(b, r) : b));
      let text = docs.map((d, k) => (k === which ? serialise(d, r) : JSON.stringify(d))).join('\n---\n');
      if (r() < 0.05) text = text.slice(0, Math.floor(r() * text.length));
      let objects;
      try {
        objects = loadText(text, `fuzz-${i}.yaml`).objects.map((l) => l.object);
      } catch (e) {
        if (!(e instanceof InputError)) throw e;
        continue;
      }
      const engine = await Engine.create({ objects });
      const result = schedule(engine, objects);
      for (const p of result.pods) expect(p.node !== undefined || (typeof p.message === 'string' && p.message.length > 0)).toBe(true);
      scheduled++;
    }
    expect(scheduled).toBeGreaterThan(N / 12);
  });
});
