/**
 * The CLI's help and version entry points (in process): `<cmd> --help`/`-h` print that
 * command's usage with exit 0, `--version` the package.json version, and `help <unknown>` is an
 * error naming the commands.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { main } from '../../src/cli/main.js';
import { COMMANDS } from '../../src/cli/commands.js';
import type { CliIO } from '../../src/cli/io.js';

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), readStdin: async () => '' };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

describe('dralloc help and version', () => {
  for (const flag of ['--help', '-h']) {
    it(`allocate ${flag} prints the allocate usage, exit 0`, async () => {
      const r = await cli('allocate', flag);
      expect(r).toMatchObject({ code: 0, stderr: '' });
      expect(r.stdout).toMatch(/^Usage: dralloc allocate -f PATH/);
      expect(r.stdout).toContain('--max-steps N');
    });
  }

  it('--help wins over other flags, even missing required ones', async () => {
    const r = await cli('schedule', '-o', 'stats', '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: dralloc schedule /);
  });

  it('every command answers --help with its own usage', async () => {
    for (const c of COMMANDS) {
      const r = await cli(c.name, '--help');
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`Usage: ${(await c.load()).usage}\n`);
      expect(r.stdout.startsWith(`Usage: dralloc ${c.name} `)).toBe(true);
    }
  });

  it('--version and version print the package.json version', async () => {
    const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    expect(version).toMatch(/^\d+\.\d+\.\d+/);
    for (const arg of ['--version', 'version']) {
      const r = await cli(arg);
      expect(r).toEqual({ code: 0, stdout: `dralloc ${version}\n`, stderr: '' });
    }
  });

  it('help <command> prints its usage; help alone the overview; no arguments the overview with exit 2', async () => {
    expect((await cli('help', 'lint')).stdout).toMatch(/^Usage: dralloc lint /);
    const overview = await cli('help');
    expect(overview.code).toBe(0);
    expect(overview.stdout).toMatch(/^Usage: dralloc <command>/);
    for (const c of COMMANDS) expect(overview.stdout).toContain(`  ${c.name} `);
    const none = await cli();
    expect(none.code).toBe(2);
    expect(none.stdout).toBe(overview.stdout);
  });

  it('help <unknown> is an error naming the commands, exit 2', async () => {
    const r = await cli('help', 'foo');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`error: unknown command "foo" (commands: ${COMMANDS.map((c) => c.name).join(', ')})\n`);
    expect(r.stderr).toContain('allocate, schedule, report, explain, lint, gen');
  });

  it('an unknown command is an error naming the commands, exit 2', async () => {
    const r = await cli('alocate', '-f', 'x');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: unknown command "alocate" \(commands: allocate, schedule, /);
  });
});
