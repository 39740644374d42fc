import type { Origin } from './types.js';

/**
 * Bad input (unreadable file, YAML syntax, an object Go could not decode, ...). The message is
 * complete and meant for humans as is; the CLI prints `error: <message>` and exits with 2.
 */
export class InputError extends Error {
  override name = 'InputError';
}

/**
 * An error of the allocation itself (bad claim, unknown class, CEL error, invalid pool...):
 * the message is upstream's text where upstream has one. Engine.allocate turns it into
 * `{ kind: 'error' }` (outcome.ts).
 */
export class AllocationError extends Error {}

/** `file: document N` or `file: document N item M`, with 1-based numbers as humans count. */
export function originText(origin: Origin): string {
  const item = origin.item === undefined ? '' : ` item ${origin.item + 1}`;
  return `${origin.file}: document ${origin.doc + 1}${item}`;
}
