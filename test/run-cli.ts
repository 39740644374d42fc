/** The dralloc CLI run in process, its output captured: for tests of commands end to end. */
import { main } from '../src/cli/main.js';
import type { CliIO } from '../src/cli/io.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** `dralloc argv...` with `stdin` as standard input (for `-f -`). */
export async function cliWithStdin(stdin: string, ...argv: string[]): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), readStdin: async () => stdin };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

/** `dralloc argv...` with empty standard input. */
export function cli(...argv: string[]): Promise<CliRun> {
  return cliWithStdin('', ...argv);
}
