/**
 * Issue 11 part 2, item 2: numeric flags. Negative numbers used to reach parseArgs as flags
 * ("argument is ambiguous"); a step budget was stored in 32 bits; `gen --scale` had no bound and
 * died of a V8 heap abort after minutes.
 */
import { describe, it, expect } from 'vitest';
import { main } from '../../src/cli/main.js';
import { WORKLOADS } from '../../src/gen/registry.js';

async function run(args: string[]) {
  const out = { stdout: '', stderr: '' };
  const code = await main(args, { stdout: (t) => void (out.stdout += t), stderr: (t) => void (out.stderr += t), readStdin: async () => '' });
  return { code, first: out.stderr.split('\n')[0], ...out };
}

describe('numeric flags', () => {
  it('a negative number after a flag is that flag\'s value, and its check names the flag', async () => {
    expect(await run(['allocate', '-f', 'x', '--node', 'n', '--max-steps', '-1'])).toMatchObject({ code: 2, first: 'error: --max-steps wants an integer from 0 (no limit) to 9007199254740991, got "-1"' });
    expect(await run(['gen', '--workload', 'gpu-5k', '-o', '/tmp/never', '--scale', '-5'])).toMatchObject({ code: 2, first: 'error: --scale wants a positive integer, got "-5"' });
    expect(await run(['gen', '--workload', 'gpu-5k', '-o', '/tmp/never', '--scale=-5'])).toMatchObject({ code: 2, first: 'error: --scale wants a positive integer, got "-5"' });
    expect(await run(['gen', '--workload', 'gpu-5k', '-o', '/tmp/never', '--seed', '-1'])).toMatchObject({ code: 2, first: 'error: --seed wants an integer 0..4294967295, got "-1"' });
    expect(await run(['scheduler', '--scheduler-name', 's', '--resync-seconds', '-.5'])).toMatchObject({ code: 2, first: 'error: --resync-seconds wants a positive integer, got "-.5"' });
    // Usage errors print the command's usage after the message.
    expect((await run(['gen', '--workload', 'gpu-5k', '-o', '/tmp/never', '--scale', '-5'])).stderr).toContain('Usage: dralloc gen');
  });

  it('a boolean flag followed by a negative number still leaves that number alone', async () => {
    // --quiet takes no value: "-5" stays an argument of its own (an unknown option here).
    expect((await run(['schedule', '-f', 'x', '--quiet', '-5'])).first).toBe("error: Unknown option '-5'");
  });

  it('gen --scale is bounded per workload, with the reason, before any work is done', async () => {
    expect(await run(['gen', '--workload', 'gpu-5k', '-o', '/tmp/never', '--scale', '100000000'])).toMatchObject({
      code: 2,
      first: 'error: --scale 100000000 is more than workload gpu-5k allows (50000 nodes): the generated objects are built in memory and would need more than about 1 GB',
    });
    expect((await run(['gen', '--workload', 'mig-1k', '-o', '/tmp/never', '--scale', '5001'])).first).toMatch(/^error: --scale 5001 is more than workload mig-1k allows \(5000 nodes\)/);
    // Each maximum is at least the default scale, and the help lists them.
    const help = (await run(['help', 'gen'])).stdout;
    for (const w of WORKLOADS) {
      expect(w.maxScale).toBeGreaterThanOrEqual(w.defaultScale);
      expect(help).toContain(`(default scale ${w.defaultScale}, at most ${w.maxScale})`);
    }
  });
});
