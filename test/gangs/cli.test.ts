/**
 * `dralloc schedule` with PodGroups through the CLI: examples/gangs/nvlink-gang.yaml (worked out
 * in its header and in schedule.test.ts) with and without --gang-search, and bad flags.
 */
import { describe, it, expect } from 'vitest';
import { cli } from '../run-cli.js';

const EXAMPLE = 'examples/gangs/nvlink-gang.yaml';

interface Item {
  kind: string;
  metadata: { name: string };
  spec: { nodeName?: string };
  status?: { conditions?: { message: string }[]; allocation?: { devices: { results: { device: string }[] } } };
}
const items = (stdout: string) => (JSON.parse(stdout) as { items: Item[] }).items;

describe('dralloc schedule with PodGroups (CLI)', () => {
  it('upstream: the gang is not admitted (exit 1), nothing of it is allocated', { timeout: 20_000 }, async () => {
    const r = await cli('schedule', '-f', EXAMPLE, '-o', 'json', '--quiet');
    expect(r.code).toBe(1);
    const all = items(r.stdout);
    expect(all.filter((i) => i.kind === 'Pod').map((p) => [p.metadata.name, p.spec.nodeName, p.status?.conditions?.[0].message.endsWith('pod group default/train was not admitted: minCount (2) cannot be satisfied: 1 scheduled, 0 remaining')])).toEqual([
      ['train-pair', undefined, true],
      ['train-quad', undefined, true],
    ]);
    expect(all.filter((i) => i.kind === 'ResourceClaim' && i.status?.allocation).map((c) => c.metadata.name)).toEqual(['other-job']);
  });

  it('--gang-search: both workers bound, on the NVLink halves; -o stats counts the gang', { timeout: 20_000 }, async () => {
    const r = await cli('schedule', '-f', EXAMPLE, '-o', 'json', '--quiet', '--gang-search');
    expect(r.code).toBe(0);
    const claims = Object.fromEntries(items(r.stdout).filter((i) => i.kind === 'ResourceClaim').map((c) => [c.metadata.name, c.status?.allocation?.devices.results.map((d) => d.device)]));
    expect(claims).toEqual({ 'other-job': ['gpu-4', 'gpu-5'], 'train-pair-gpu': ['gpu-6', 'gpu-7'], 'train-quad-gpu': ['gpu-0', 'gpu-1', 'gpu-2', 'gpu-3'] });
    // Steps: the bigger quad first, on the node (1: domain a); the pair (2: gpu-6, gpu-7).
    const stats = JSON.parse((await cli('schedule', '-f', EXAMPLE, '-o', 'stats', '--quiet', '--gang-search-budget', '100')).stdout);
    expect(stats.podGroups).toEqual({ gangs: 1, admitted: 1, rejected: 0, basic: 0, missing: 0, search: { searched: 1, found: 1, budgetExhausted: 0, steps: 2 } });
  });

  it('a bad budget is a usage error (exit 2)', async () => {
    const r = await cli('schedule', '-f', EXAMPLE, '--gang-search-budget', '0');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--gang-search-budget wants a positive integer, got "0"');
  });
});
