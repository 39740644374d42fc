/**
 * Loads the solver (build/wasm/solver.wasm). The module has no imports but AssemblyScript's
 * `abort`, which only a solver bug can reach.
 */

import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The part of the WebAssembly JS API used here (Node has it; the ES2022 lib types do not). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
interface WasmModule {
  readonly kind?: never;
}
declare const WebAssembly: {
  compile(bytes: Uint8Array): Promise<WasmModule>;
  instantiate(module: WasmModule, imports: object): Promise<{ exports: unknown }>;
};

export interface SolverExports {
  memory: WasmMemory;
  ensure(bytes: number): number;
  workBytes(nDev: number, nClaim: number, nCons: number, maxDepth: number): number;
  start(base: number): void;
  run(slice: number): number;
  placeRun(run: number): void;
}

let compiling: Promise<WasmModule> | undefined;

/** Where the .wasm is: next to the compiled JS (build/js/wasm → build/wasm) or from src/wasm. */
function wasmPath(): string {
  const candidates = ['../../wasm/solver.wasm', '../../build/wasm/solver.wasm'].map((p) => fileURLToPath(new URL(p, import.meta.url)));
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`solver.wasm not found (looked in ${candidates.join(', ')}); run \`npm run build\``);
  return found;
}

/**
 * A new solver instance with memory of its own (the module is compiled once per process).
 * Each Engine has one: engines keep problem blocks in their solver's memory, so two engines
 * must never share an instance.
 */
export async function loadSolver(): Promise<SolverExports> {
  compiling ??= readFile(wasmPath()).then((bytes) => WebAssembly.compile(bytes));
  const instance = await WebAssembly.instantiate(await compiling, {
    env: {
      abort(_msg: number, _file: number, line: number, col: number) {
        throw new Error(`solver aborted at ${line}:${col}`);
      },
    },
  });
  return instance.exports as SolverExports;
}
