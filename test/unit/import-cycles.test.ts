/**
 * The folders under src/ (and its top-level files) import each other in one direction only:
 * no import cycle between them, static or dynamic, type-only imports included. A new cycle
 * fails this test with the imports that close it.
 */
import { describe, it, expect } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const SRC = resolve('src');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** A file's unit: its top-level folder under src/, or the file itself (`engine.ts`) at the top. */
function unitOf(file: string): string {
  const parts = relative(SRC, file).split('/');
  return parts.length === 1 ? parts[0] : `${parts[0]}/`;
}

const IMPORT = /(?:\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)['"](\.{1,2}\/[^'"]+)['"]/g;

/** unit → unit → the imports (`file → file`) behind that edge. */
export function unitGraph(files: readonly string[]): Map<string, Map<string, string[]>> {
  const graph = new Map<string, Map<string, string[]>>();
  for (const file of files) {
    for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const target = resolve(dirname(file), m[1].replace(/\.js$/, '.ts'));
      const [from, to] = [unitOf(file), unitOf(target)];
      if (from === to) continue;
      const edges = graph.get(from) ?? new Map<string, string[]>();
      edges.set(to, [...(edges.get(to) ?? []), `${relative(SRC, file)} → ${relative(SRC, target)}`]);
      graph.set(from, edges);
    }
  }
  return graph;
}

/** Strongly connected components with more than one unit (Tarjan). */
export function cycles(graph: ReadonlyMap<string, ReadonlyMap<string, unknown>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v)?.keys() ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const scc: string[] = [];
    for (let w = stack.pop()!; ; w = stack.pop()!) {
      onStack.delete(w);
      scc.push(w);
      if (w === v) break;
    }
    if (scc.length > 1) out.push(scc.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return out;
}

describe('folder import graph of src/', () => {
  it('finds a cycle when there is one (the checker itself)', () => {
    const g = new Map([
      ['a/', new Map([['b/', []]])],
      ['b/', new Map([['c.ts', []]])],
      ['c.ts', new Map([['a/', []]])],
      ['d/', new Map([['a/', []]])],
    ]);
    expect(cycles(g)).toEqual([['a/', 'b/', 'c.ts']]);
    expect(cycles(new Map([['a/', new Map([['b/', []]])]]))).toEqual([]);
  });

  it('has no cycle between folders (or top-level files)', () => {
    const graph = unitGraph(sources(SRC));
    expect(graph.size).toBeGreaterThan(5); // the scan saw the imports
    const found = cycles(graph).map((scc) =>
      scc.flatMap((from) => scc.filter((to) => graph.get(from)?.has(to)).map((to) => `${from} → ${to}: ${graph.get(from)!.get(to)!.join(', ')}`)),
    );
    expect(found).toEqual([]);
  });
});
