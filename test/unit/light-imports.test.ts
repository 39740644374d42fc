/**
 * Light imports: what `import 'dralloc'` and the CLI's entry load before any work is asked for.
 * Checked on the static import graph of the sources (type-only imports are erased by tsc), so
 * the test does not depend on timing: the library entry must not reach the CEL runtime, the
 * YAML parser or the Kubernetes client, and the CLI entry must load no command.
 */

import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(__dirname, '../../src');
const IMPORT = /^\s*(import|export)\s+(?!type\b)[^'"]*?from\s*['"]([^'"]+)['"]|^\s*import\s*['"]([^'"]+)['"]/gm;

/** Every module `entry` loads statically: relative ones as paths below src/, packages by name. */
function staticGraph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const m of readFileSync(join(SRC, file), 'utf8').matchAll(IMPORT)) {
      const spec = m[2] ?? m[3];
      if (spec.startsWith('.')) visit(relative(SRC, resolve(SRC, dirname(file), spec)).replace(/\.js$/, '.ts'));
      else if (!spec.startsWith('node:')) packages.add(spec.split('/').slice(0, spec.startsWith('@') ? 2 : 1).join('/'));
    }
  };
  visit(entry);
  return { files, packages };
}

describe('light imports', () => {
  it('the library entry loads no CEL runtime, YAML parser or Kubernetes client', () => {
    const { files, packages } = staticGraph('index.ts');
    expect([...packages]).toEqual([]);
    expect([...files].filter((f) => f.startsWith('cel/') || f === 'compile/selectors.ts')).toEqual([]);
  });

  it('selector evaluation (loaded by Engine.create) and its diagnostics load the CEL runtime only on first need', () => {
    for (const entry of ['compile/selectors.ts', 'compile/selector-diagnostics.ts', 'cli/allocate.ts']) {
      const { files, packages } = staticGraph(entry);
      expect([...packages], entry).toEqual([]);
      expect([...files].filter((f) => f === 'cel/index.ts' || f === 'compile/cel-runtime.ts'), entry).toEqual([]);
    }
  });

  it('the CLI entry loads no command until one runs', () => {
    const { files, packages } = staticGraph('cli/main.ts');
    expect([...packages]).toEqual([]);
    expect([...files].sort()).toEqual(['cli/command.ts', 'cli/io.ts', 'cli/main.ts', 'cli/registry.ts', 'cli/version.ts', 'features.ts', 'model/errors.ts', 'wasm/layout.ts']);
  });

  it('only src/k8s imports @kubernetes/client-node, and only dynamically', () => {
    const all = readdirSync(SRC, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    const users = all.filter((f) => /['"]@kubernetes\/client-node['"]/.test(readFileSync(join(SRC, f), 'utf8')));
    expect(users.length).toBeGreaterThan(0);
    expect(users.every((f) => f.startsWith('k8s/'))).toBe(true);
    for (const f of users) {
      const text = readFileSync(join(SRC, f), 'utf8');
      expect(text, f).not.toMatch(/^\s*import\s+(?!type\b)[^'"]*from\s*['"]@kubernetes\/client-node['"]/m);
    }
  });
});
