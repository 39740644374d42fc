/** The dralloc CLI run in process, its output captured: for tests of commands end to end. */
import { main } from '../src/cli/main.js';
import type { CliIO } from '../src/cli/io.js';

export async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), readStdin: async () => '' };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}
