/**
 * What selector evaluation needs from the CEL runtime (@bufbuild/cel with protobuf and RE2,
 * ≈0.2–0.3 s to load): compiling, per-device evaluation, the AST fast path and the
 * references diagnostics read from the AST. Loaded only through
 * cel-loader.ts, when a selector is outside the literal fast path or a device needs the evaluator.
 */
export { compileSelector, CelCompileError, CelRuntimeError, type CompiledSelector } from '../cel/index.js';
export { fastMask, planKeys } from './fastpath/mask.js';
export { references } from './fastpath/plan.js';
