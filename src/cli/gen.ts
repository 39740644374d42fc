/**
 * `dralloc gen`: write a seeded synthetic workload (cluster + Pods) as JSON v1 Lists that
 * `dralloc allocate -f DIR` and loadPaths read. Same flags → byte-identical files.
 */

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../model/errors.js';
import { DEFAULT_SEED, generateWorkload, UnknownWorkloadError, WORKLOADS } from '../gen/workloads.js';
import type { Workload } from '../gen/workload.js';
import { workloadFiles } from '../gen/files.js';
import { parseFlags, positiveInt, required, UsageError, type Command } from './command.js';

const WORKLOAD_LIST = WORKLOADS.map((w) => `    ${w.name.padEnd(12)} ${w.summary} (default scale ${w.defaultScale})`).join('\n');

export const genCommand: Command = {
  name: 'gen',
  usage: `dralloc gen --workload NAME [--scale N] [--seed S] -o DIR

  Write DIR/cluster.json (DeviceClasses, Nodes, ResourceSlices) and DIR/pods.json
  (ResourceClaimTemplates, Pods), each a JSON v1 List with one object per line. The same
  workload, scale and seed give byte-identical files.
  --workload NAME  one of:
${WORKLOAD_LIST}
  --scale N        number of nodes (default: the workload's)
  --seed S         PRNG seed, an integer 0..4294967295 (default ${DEFAULT_SEED})
  -o DIR           output folder (created if missing)

  Exit 0: the files are written (stdout names them). Exit 2: bad flags or an unwritable DIR.`,
  async run(argv, io) {
    const { values } = parseFlags(argv, {
      workload: { type: 'string' },
      scale: { type: 'string' },
      seed: { type: 'string' },
      output: { type: 'string', short: 'o' },
    });
    const name = required(values.workload, '--workload NAME');
    const dir = required(values.output, '-o DIR');
    const scale = positiveInt('--scale', values.scale);
    const seed = seedFlag(values.seed);
    let workload: Workload;
    try {
      workload = generateWorkload(name, { scale, seed });
    } catch (e) {
      if (e instanceof UnknownWorkloadError) throw new UsageError(e.message);
      throw e;
    }
    const files = workloadFiles(workload);
    try {
      await mkdir(dir, { recursive: true });
      for (const f of files) await writeFile(join(dir, f.name), f.text);
    } catch (e) {
      throw new InputError(`-o ${dir}: ${(e as Error).message}`);
    }
    for (const f of files) io.stdout(`wrote ${join(dir, f.name)} (${f.count} objects)\n`);
    return 0;
  },
};

function seedFlag(v: string | undefined): number {
  if (v === undefined) return DEFAULT_SEED;
  const n = Number(v);
  if (!/^\d+$/.test(v) || n > 0xffffffff) throw new UsageError(`--seed wants an integer 0..4294967295, got "${v}"`);
  return n;
}
