/**
 * Vitest runs the TypeScript sources, which the synchronous `require` fallback of
 * src/compile/cel-loader.ts cannot read: load the CEL runtime ahead, as the loader's contract
 * allows. (The synchronous path of the built package is tested in test/unit/lazy-cel.test.ts.)
 */
import { loadCelRuntime } from '../src/compile/cel-loader.js';

await loadCelRuntime();
