/** Errors raised by the DRA CEL selector environment. */

/**
 * The expression cannot be used: syntax error, undeclared reference, no matching overload,
 * wrong output type or over the length limit. The message follows cel-go's issue format
 * (`ERROR: <input>:line:col: text`, then the offending source line and a caret) and always
 * contains the expression text.
 */
export class CelCompileError extends Error {
  override readonly name = 'CelCompileError';
}

/**
 * Evaluating a selector for one device failed: a missing map key (`no such key: x`), a
 * non-bool result, a device whose attributes cannot be converted (`unsupported attribute
 * value`), an exceeded cost budget, or any other CEL runtime error.
 */
export class CelRuntimeError extends Error {
  override readonly name = 'CelRuntimeError';
}
