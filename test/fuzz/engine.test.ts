/**
 * Fuzz: mutated objects into the loader, allocate and explain. Each input is either rejected
 * with the documented error (InputError from loading, an `error` outcome from allocate) or
 * answered; nothing else escapes. After each input the engine answers a fixed good claim
 * exactly as before: rejected or removed inputs leave its state unchanged.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { Engine } from '../../src/engine.js';
import { loadText } from '../../src/model/load.js';
import { InputError } from '../../src/model/errors.js';
import type { DraObject, ResourceClaim } from '../../src/model/types.js';
import { explainClaim } from '../../src/explain/index.js';
import { mutate, rng, serialise } from './mutate.js';
import { runs } from '../full.js';

const FIXTURE = 'test/fixtures/explain/cluster.yaml';
const raws = parseAllDocuments(readFileSync(FIXTURE, 'utf8')).map((d) => d.toJS() as { kind: string; metadata: { name: string } });
let engine: Engine;
let good: ResourceClaim;
let baseline: string;

const answer = () => JSON.stringify(engine.allocateSync([good], { node: 'n2' }));

beforeAll(async () => {
  const objects = loadText(readFileSync(FIXTURE, 'utf8'), FIXTURE).objects.map((l) => l.object);
  engine = await Engine.create({ objects });
  good = objects.find((o): o is ResourceClaim => o.kind === 'ResourceClaim' && o.metadata.name === 'c-any')!;
  baseline = answer();
  expect(JSON.parse(baseline).kind).toBe('allocated');
});

describe('fuzz: load, allocate, explain', () => {
  const N = runs(800, 300);
  it(`${N} mutated objects: a clear error or a valid answer, and the state is unchanged after`, { timeout: 300_000 }, () => {
    const r = rng(7);
    const counts = { rejected: 0, allocated: 0, unsatisfiable: 0, error: 0 };
    for (let i = 0; i < N; i++) {
      const raw = mutate(raws[Math.floor(r() * raws.length)], r);
      let objects: DraObject[];
      try {
        objects = loadText(serialise(raw, r), `fuzz-${i}.yaml`).objects.map((l) => l.object);
      } catch (e) {
        if (!(e instanceof InputError)) throw e;
        expect(e.message).toMatch(new RegExp(`^fuzz-${i}\\.yaml`));
        counts.rejected++;
        continue;
      }
      for (const o of objects) {
        if (o.kind === 'ResourceClaim' && !o.status?.allocation) {
          const out = engine.allocateSync([o], { node: r() < 0.5 ? 'n1' : 'n2' });
          counts[out.kind]++;
          if (out.kind === 'error') expect(out.message.length).toBeGreaterThan(0);
          for (const n of explainClaim(engine, o, 'n1').nodes) expect(['allocatable', 'unsatisfiable', 'error']).toContain(n.verdict);
        } else {
          // Under a fresh name, so that it adds to the cluster instead of replacing a good object.
          const added = { ...o, metadata: { ...o.metadata, name: `fuzz-${i}` } } as DraObject;
          engine.add([added]);
          const out = engine.allocateSync([good], { node: 'n2' });
          counts[out.kind]++;
          engine.remove([added]);
        }
        expect(answer()).toBe(baseline);
      }
    }
    // Both kinds of input occur: at least 1 in 16 rejected at load, 1 in 16 answered.
    expect(counts.rejected).toBeGreaterThan(N / 16);
    expect(counts.allocated + counts.unsatisfiable + counts.error).toBeGreaterThan(N / 16);
  });
});
