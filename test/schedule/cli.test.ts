/**
 * `dralloc schedule` and `dralloc report` through the CLI entry point (in process): exit codes,
 * the List's Pods and claims, `-o stats` fields, and the report files. Expected values are the
 * placements of examples/fragmented.yaml (see its header and semantics.test.ts).
 */
import { describe, it, expect, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../run-cli.js';

const FRAGMENTED = 'examples/fragmented.yaml';
const tmp = mkdtempSync(join(tmpdir(), 'dralloc-schedule-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Item {
  kind: string;
  metadata: { name: string };
  spec: { nodeName?: string };
  status?: { conditions?: { type: string; status: string; reason: string; message: string }[]; allocation?: { devices: { results: { pool: string; device: string }[] } } };
}

describe('dralloc schedule (CLI)', () => {
  it('exit 1 when a Pod is unschedulable; the List has bound Pods, the PodScheduled=False condition and the claims', { timeout: 60_000 }, async () => {
    const r = await cli('schedule', '-f', FRAGMENTED, '-o', 'json', '--quiet');
    expect(r.code).toBe(1);
    const items = (JSON.parse(r.stdout) as { items: Item[] }).items;
    const pods = Object.fromEntries(items.filter((i) => i.kind === 'Pod').map((i) => [i.metadata.name, i]));
    expect(pods['small-1'].spec.nodeName).toBe('node-a');
    expect(pods['small-2'].spec.nodeName).toBe('node-b');
    expect(pods.big.spec.nodeName).toBeUndefined();
    const cond = pods.big.status?.conditions?.find((c) => c.type === 'PodScheduled');
    expect(cond).toMatchObject({ status: 'False', reason: 'Unschedulable' });
    expect(cond?.message).toMatch(/^0\/3 nodes are available: 3 cannot allocate all claims\./);
    const claims = items.filter((i) => i.kind === 'ResourceClaim').map((i) => i.metadata.name);
    expect(claims).toEqual(['running-a', 'running-c', 'small-1-gpu', 'small-2-gpu', 'big-gpu']);
  });

  it('exit 0 when every Pod is placed (pack)', { timeout: 60_000 }, async () => {
    const r = await cli('schedule', '-f', FRAGMENTED, '--strategy', 'pack', '-o', 'json', '--quiet');
    expect(r.code).toBe(0);
    const items = (JSON.parse(r.stdout) as { items: Item[] }).items;
    expect(items.filter((i) => i.kind === 'Pod').map((i) => [i.metadata.name, i.spec.nodeName])).toEqual([
      ['small-1', 'node-a'],
      ['small-2', 'node-c'],
      ['big', 'node-b'],
    ]);
  });

  it('-o stats: counts, phases, search counters and utilisation; unschedulable Pods on stderr', async () => {
    const r = await cli('schedule', '-f', FRAGMENTED, '-o', 'stats', '--quiet', '--placement', 'wasm');
    expect(r.code).toBe(1);
    const s = JSON.parse(r.stdout);
    expect(Object.keys(s)).toEqual(['pods', 'scheduled', 'unschedulable', 'strategy', 'seconds', 'podsPerSecond', 'nodesExamined', 'allocations', 'rejectedBySummary', 'placement', 'devicesUsed', 'utilization']);
    expect(s).toMatchObject({ pods: 3, scheduled: 2, unschedulable: 1, strategy: 'upstream', devicesUsed: 7, utilization: { counters: {} } });
    expect(Object.keys(s.seconds)).toEqual(['load', 'compile', 'solve']);
    for (const v of Object.values(s.seconds)) expect(typeof v).toBe('number');
    expect(s.podsPerSecond === null || s.podsPerSecond > 0).toBe(true);
    // small-1: node-a (1 examined, 1 allocation); small-2: node-b (1, 1); big: 3 nodes, all rejected by the summaries.
    expect(s.nodesExamined).toBe(5);
    expect(s.allocations).toBe(2);
    expect(s.rejectedBySummary).toBe(3);
    // small-1 and small-2 in one run of the placement kernel; big goes to the host (no node fits).
    expect(s.placement).toMatchObject({ kernel: 'wasm', runs: 1, placed: 2 });
    expect(s.utilization.byClass).toEqual({ gpu: { devices: 12, used: 7, fraction: 7 / 12 } });
    expect(r.stderr).toMatch(/^unschedulable: default\/big: 0\/3 nodes are available: 3 cannot allocate all claims\./m);
  });

  it('--report FILE writes the page next to the usual output', { timeout: 60_000 }, async () => {
    const out = join(tmp, 'schedule.html');
    const r = await cli('schedule', '-f', FRAGMENTED, '--strategy', 'pack', '--report', out, '--quiet');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^apiVersion: v1\nkind: List/);
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('<title>dralloc schedule report</title>');
    expect(html).toContain('"strategy":"pack"');
  });

  it('an unknown strategy is a usage error (exit 2)', async () => {
    const r = await cli('schedule', '-f', FRAGMENTED, '--strategy', 'greedy');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: unknown strategy "greedy" \(want upstream or pack\)/);
  });

  it('an unknown --placement is a usage error (exit 2); every placement gives the same List', { timeout: 60_000 }, async () => {
    const bad = await cli('schedule', '-f', FRAGMENTED, '--placement', 'gpu');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^error: --placement: invalid value "gpu": want wasm, ts or host/);
    const outputs = await Promise.all(['wasm', 'ts', 'host'].map((p) => cli('schedule', '-f', FRAGMENTED, '--placement', p, '-o', 'json', '--quiet')));
    for (const o of outputs) expect(o.code).toBe(1); // big does not fit
    expect(outputs[1].stdout).toBe(outputs[0].stdout);
    expect(outputs[2].stdout).toBe(outputs[0].stdout);
  });
});

describe('dralloc report (CLI)', () => {
  it('writes the page, names it on stdout, and exits 1 when a Pod is unschedulable', { timeout: 60_000 }, async () => {
    const out = join(tmp, 'report.html');
    const r = await cli('report', '-f', FRAGMENTED, '-o', out, '--title', 'Fragmented <demo>', '--quiet');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`^wrote ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(\\d+ KiB\\): 3 Pods, 2 placed, 1 unschedulable\\n$`));
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('<title>Fragmented &#60;demo&#62;</title>');
    expect(html).toContain('0/3 nodes are available: 3 cannot allocate all claims.');
  });

  it('exit 0 with --strategy pack (every Pod placed)', async () => {
    const r = await cli('report', '-f', FRAGMENTED, '--strategy', 'pack', '-o', join(tmp, 'pack.html'), '--quiet');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/: 3 Pods, 3 placed, 0 unschedulable\n$/);
  });

  it('needs -o FILE.html', async () => {
    const r = await cli('report', '-f', FRAGMENTED);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: missing -o FILE\.html/);
  });

  it('an unwritable output is an error naming the flag and path (exit 2)', async () => {
    const out = join(tmp, 'no-such-dir', 'r.html');
    const r = await cli('report', '-f', FRAGMENTED, '-o', out, '--quiet');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`error: -o ${out}: ENOENT`);
    expect(existsSync(out)).toBe(false);
  });
});
