/**
 * The solver's ABI is defined once on each side: assembly/layout.ts for the WASM core and
 * src/wasm/layout.ts for the host. These tests read the AssemblyScript file's constants and
 * require the TypeScript ones to be the same set with the same values, and check the
 * frame-depth rule against the compiled solver: a search gets the depth the rule gives and never
 * needs more.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as layout from '../../src/wasm/layout.js';
import { Engine } from '../../src/engine.js';
import { buildNodeView } from '../../src/compile/nodeview.js';
import { compileProblem, type Problem } from '../../src/compile/problem.js';
import { loadSolver } from '../../src/wasm/instance.js';
import { FLAG_AGGREGATED, FLAG_DEDICATED, FLAG_SHARED } from '../../src/model/allocated.js';
import { SolverMemory } from '../../src/wasm/run.js';
import type { DraObject, ResourceClaim } from '../../src/model/types.js';

/** `NAME → value` of every `export const NAME: type = <integer>;` of assembly/layout.ts. */
function assemblyConstants(): Record<string, number> {
  const text = readFileSync('assembly/layout.ts', 'utf8');
  const exported = text.match(/^export const /gm) ?? [];
  const found = [...text.matchAll(/^export const (\w+): (?:i32|u8|u32|i64) = (-?\d+);/gm)];
  // Every exported constant is a plain integer the parser understands.
  expect(found.length).toBe(exported.length);
  return Object.fromEntries(found.map((m) => [m[1], Number(m[2])]));
}

/** The TypeScript side flattened the same way: `H.NDEV` → `H_NDEV`, `ACCOUNTING.exact` → `ACCOUNTING_EXACT`. */
function typescriptConstants(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, value] of Object.entries(layout)) {
    if (typeof value === 'number') out[name] = value;
    else if (typeof value === 'object' && value !== null) {
      for (const [key, v] of Object.entries(value)) out[`${name}_${key.toUpperCase()}`] = v as number;
    }
  }
  return out;
}

describe('the ABI contract', () => {
  it('TypeScript and AssemblyScript define the same constants with the same values', () => {
    const as = assemblyConstants();
    const ts = typescriptConstants();
    expect(Object.keys(as).length).toBeGreaterThan(70);
    expect(ts).toEqual(as);
  });

  it('header words are distinct and fill the header', () => {
    const words = Object.values(layout.H);
    expect(new Set(words).size).toBe(words.length);
    expect([...words].sort((a, b) => a - b)).toEqual(Array.from({ length: layout.HEADER_WORDS }, (_, i) => i));
  });

  it('the placement kernel\'s run descriptor and record words fill theirs; its flags are the allocated state\'s', () => {
    const fills = (words: number[], n: number) => expect([...words].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
    fills(Object.values(layout.R), layout.RUN_WORDS);
    fills(Object.values(layout.REC), layout.REC_WORDS);
    expect(layout.RF).toEqual({ DEDICATED: FLAG_DEDICATED, SHARED: FLAG_SHARED, AGGREGATED: FLAG_AGGREGATED });
    // A shape table's block entries are addresses (> 0) or one of two markers.
    expect(layout.SH.REJECTED).toBeLessThan(0);
    expect(layout.SH.HOST).toBe(0);
  });
});

// ---- the frame-depth rule against the compiled solver -----------------------------------------

const DRIVER = 'gpu.example.com';
const objects: DraObject[] = [
  { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } },
  { apiVersion: 'resource.k8s.io/v1', kind: 'DeviceClass', metadata: { name: 'gpu' }, spec: {} },
  {
    apiVersion: 'resource.k8s.io/v1',
    kind: 'ResourceSlice',
    metadata: { name: 'n1-gpus' },
    spec: {
      driver: DRIVER,
      pool: { name: 'n1', generation: 1, resourceSliceCount: 1 },
      nodeName: 'n1',
      devices: Array.from({ length: 12 }, (_, i) => ({ name: `gpu-${i}` })),
    },
  },
];

/** A claim whose requests ask for `counts` devices each; a request given as an array has those subrequests. */
function claim(name: string, counts: (number | number[])[]): ResourceClaim {
  const exactly = (count: number) => ({ deviceClassName: 'gpu', allocationMode: 'ExactCount' as const, count });
  return {
    apiVersion: 'resource.k8s.io/v1',
    kind: 'ResourceClaim',
    metadata: { name, namespace: 'default' },
    spec: {
      devices: {
        requests: counts.map((c, r) =>
          typeof c === 'number'
            ? { name: `r${r}`, exactly: exactly(c) }
            : { name: `r${r}`, firstAvailable: c.map((n, s) => ({ name: `s${s}`, ...exactly(n) })) },
        ),
      },
    },
  };
}

let engine: Engine;
let memory: SolverMemory;
beforeAll(async () => {
  engine = await Engine.create({ objects });
  memory = new SolverMemory(await loadSolver());
});

/** Compiles `claims` for n1 and solves them with `depth` frames; the RESULT code. */
function solveWithDepth(p: Problem, depth: number): number {
  const limited = { ...p, maxDepth: depth };
  memory.reset();
  const block = memory.write(limited, false);
  memory.start(block);
  return memory.run(block, 0xffffffff).status;
}

describe('the frame-depth rule', () => {
  // All fit on the 12 GPUs; the first subrequest of a firstAvailable list asks for more than
  // there are, so the search gives it up at once and takes the second. `least`: the frames the
  // successful search holds at its deepest, counted by hand from search.ts — the root frame, per
  // claim the frame past its end, per request one per device taken, the request's end frame and
  // (with subrequests) its loop frame: 1 + Σ claims (1 + Σ requests (n + 1 + subs)).
  const shapes: { name: string; claims: ResourceClaim[]; picks: number[][]; least: number }[] = [
    { name: 'one claim, one request of 1', claims: [claim('a', [1])], picks: [[1]], least: 1 + (1 + 2) },
    { name: 'one claim, one request of 12', claims: [claim('a', [12])], picks: [[12]], least: 1 + (1 + 13) },
    { name: 'one claim, three requests', claims: [claim('a', [2, 3, 4])], picks: [[2, 3, 4]], least: 1 + (1 + 3 + 4 + 5) },
    { name: 'a firstAvailable request', claims: [claim('a', [[13, 5]])], picks: [[13]], least: 1 + (1 + 7) },
    {
      name: 'three claims',
      claims: [claim('a', [2]), claim('b', [3, 1]), claim('c', [[20, 4], 2])],
      picks: [[2], [3, 1], [20, 2]],
      least: 1 + (1 + 3) + (1 + 4 + 2) + (1 + 6 + 3),
    },
  ];
  for (const { name, claims, picks, least } of shapes) {
    it(`${name}: solved with the rule's depth, and the rule is enough`, { timeout: 30_000 }, () => {
      const state = engine.inspect();
      const view = buildNodeView(engine.nodePools(state.nodes.get('n1')!), state.allocated);
      const p = compileProblem(view, claims, { ...state });
      // the host's depth is the rule's, worked out from the requests' largest slots
      expect(p.maxDepth).toBe(layout.searchDepth(picks));
      expect(solveWithDepth(p, p.maxDepth)).toBe(layout.RESULT.OK);
      // the least depth that suffices, by bisection
      let lo = 1;
      let hi = p.maxDepth;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (solveWithDepth(p, mid) === layout.RESULT.OK) hi = mid;
        else lo = mid + 1;
      }
      expect(lo).toBe(least);
      // and one frame less than that is the solver's RESULT.DEPTH, a code both sides agree on
      expect(solveWithDepth(p, lo - 1)).toBe(layout.RESULT.DEPTH);
    });
  }
});
