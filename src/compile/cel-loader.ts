/**
 * Loads cel-runtime.ts on first need. Selector values are asked for synchronously, in the middle
 * of compiling a problem, so the load is synchronous: `require` of an ES module (Node ≥ 20.19)
 * gives the same module instance an `import` does. Callers that can wait (and test runners,
 * whose sources `require` cannot read) load it ahead with `loadCelRuntime`.
 */
import { createRequire } from 'node:module';

export type CelRuntime = typeof import('./cel-runtime.js');

let runtime: CelRuntime | undefined;

/** Loads the CEL runtime asynchronously (a no-op once loaded). */
export async function loadCelRuntime(): Promise<CelRuntime> {
  return (runtime ??= await import('./cel-runtime.js'));
}

/** The CEL runtime, loaded now if nobody has loaded it yet. */
export function celRuntime(): CelRuntime {
  return (runtime ??= createRequire(import.meta.url)('./cel-runtime.js') as CelRuntime);
}

