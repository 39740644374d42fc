/**
 * Load benchmark: `loadPaths` (read, JSON.parse, check and normalise every object the way Go's
 * decoding would) of the files `dralloc gen` writes, for gpu-5k at its default 5,000 nodes
 * (13.5 MB, 20,004 objects) and mig-1k at 1,000 nodes (partitionable devices with shared
 * counters). The floor is reading the same files and JSON.parse alone: what no checking loader
 * can beat.
 *
 * BENCH_LOAD_BASELINE=<path of another build's model/load.js> adds that loader's `loadPaths` as
 * a task in the same run (e.g. build the previous commit into /tmp/old and pass
 * /tmp/old/build/js/model/load.js); tasks run in interleaved rounds, so that the machine's
 * changing load affects the before/after ratio alike.
 * Run: `npm run bench:load`. Results: bench/README.md.
 */

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bench } from 'tinybench';
import { workloadFiles } from '../src/gen/files.js';
import { generateWorkload } from '../src/gen/registry.js';
import { loadPaths } from '../src/model/load.js';

type Load = typeof loadPaths;
const root = mkdtempSync(join(tmpdir(), 'dralloc-load-bench-'));
process.on('exit', () => rmSync(root, { recursive: true, force: true }));

/** Writes the gen files of `workload` into a fresh folder; returns it with its size and object count. */
function written(workload: string, scale: number) {
  const dir = join(root, workload);
  mkdirSync(dir);
  let bytes = 0;
  let objects = 0;
  for (const f of workloadFiles(generateWorkload(workload, { scale, seed: 1 }))) {
    writeFileSync(join(dir, f.name), f.text);
    bytes += Buffer.byteLength(f.text);
    objects += f.count;
  }
  return { name: `${workload} ${scale}`, dir, bytes, objects, files: [join(dir, 'cluster.json'), join(dir, 'pods.json')] };
}

const ROUNDS = 8;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

const baselinePath = process.env.BENCH_LOAD_BASELINE;
const baseline: Load | undefined = baselinePath ? ((await import(baselinePath)) as { loadPaths: Load }).loadPaths : undefined;

const rows: Record<string, string | number>[] = [];
for (const [workload, scale] of [['gpu-5k', 5000], ['mig-1k', 1000]] as const) {
  const w = written(workload, scale);
  /** Fails the run rather than timing a loader that lost objects. */
  const check = (n: number) => {
    if (n !== w.objects) throw new Error(`${w.name}: loaded ${n} objects, expected ${w.objects}`);
  };
  const tasks: [string, () => Promise<void>][] = [
    ['read + JSON.parse (floor)', async () => {
      let n = 0;
      for (const f of w.files) n += (JSON.parse(await readFile(f, 'utf8')) as { items: unknown[] }).items.length;
      check(n);
    }],
    ['loadPaths', async () => check((await loadPaths([w.dir])).objects.length)],
  ];
  if (baseline) tasks.push(['loadPaths (baseline)', async () => check((await baseline([w.dir])).objects.length)]);
  // Rounds of one run per task, so that a change in the machine's load hits every task alike
  // (tinybench runs each task's iterations back to back); the median round per task is reported.
  const times: number[][] = tasks.map(() => []);
  for (let round = 0; round <= ROUNDS; round++) {
    const bench = new Bench({ name: w.name, iterations: 1, time: 0, warmupIterations: 0 });
    for (const [name, fn] of tasks) bench.add(name, fn);
    await bench.run();
    if (round > 0) bench.tasks.forEach((t, i) => times[i].push((t.result as { latency: { mean: number } }).latency.mean)); // round 0 warms up
  }
  const ms = (i: number) => median(times[i]);
  const floor = ms(0);
  const ours = ms(1);
  const row: Record<string, string | number> = {
    workload: w.name,
    MB: (w.bytes / 1e6).toFixed(1),
    objects: w.objects,
    'floor ms': floor.toFixed(0),
    'loadPaths ms': ours.toFixed(0),
    '÷ floor': (ours / floor).toFixed(2),
  };
  if (baseline) {
    const before = ms(2);
    row['baseline ms'] = before.toFixed(0);
    row['baseline ÷ loadPaths'] = (before / ours).toFixed(2);
  }
  rows.push(row);
}
console.log(`\nloadPaths of \`dralloc gen\` files (medians of ${ROUNDS} interleaved rounds; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')})`);
console.table(rows);
