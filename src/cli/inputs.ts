/** Loads the `-f` inputs of a command; warnings (skipped kinds) go to stderr. */

import { decodeFiles } from '../api/decode.js';
import type { DraObject } from '../model/types.js';
import type { CliIO } from './io.js';

export async function loadInputs(files: string[], io: CliIO): Promise<DraObject[]> {
  const stdin = files.includes('-') ? await io.readStdin() : undefined;
  const { objects, warnings } = await decodeFiles(files, { stdin });
  for (const w of warnings) io.stderr(`warning: ${w}\n`);
  return objects;
}
