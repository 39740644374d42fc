/** `dralloc snapshot`: list a live cluster's DRA objects into one file every other command reads. */

import { writeFile } from 'node:fs/promises';
import { InputError } from '../model/errors.js';
import { apiErrorText, connect, connectOptions, CONNECT_FLAGS, CONNECT_USAGE } from '../k8s/connect.js';
import { takeSnapshot } from '../k8s/snapshot.js';
import { formatObject } from './format.js';
import { outputFormat, parseFlags, required, type Command } from './command.js';

export const snapshotCommand: Command = {
  name: 'snapshot',
  usage: `dralloc snapshot -o FILE [--format json|yaml] [--kubeconfig FILE] [--context NAME] [--in-cluster]

  Lists Nodes, DeviceClasses, ResourceSlices, ResourceClaims, ResourceClaimTemplates, Pods,
  DeviceTaintRules and PodGroups (where served) into one v1 List that every -f option accepts
  (offline what-if runs).
  -o FILE              where to write (- for standard output)
  --format json|yaml   file format (default json)
${CONNECT_USAGE}

  Exit 0: written (the object counts go to stderr). Exit 2: error.`,
  async run(argv, io) {
    const { values } = parseFlags(argv, { output: { type: 'string', short: 'o' }, format: { type: 'string', default: 'json' }, ...CONNECT_FLAGS });
    const file = required(values.output, '-o FILE');
    const format = outputFormat(values.format);
    const cluster = await connect(connectOptions(values));
    const snapshot = await takeSnapshot(cluster, (w) => io.stderr(`warning: ${w}\n`)).catch((e: unknown) => {
      throw new InputError(`${cluster.server}: listing failed: ${apiErrorText(e)}`);
    });
    const text = formatObject(snapshot, format);
    if (file === '-') io.stdout(text);
    else await writeFile(file, text).catch((e: unknown) => { throw new InputError(`${file}: ${(e as Error).message}`); });
    const counts = new Map<string, number>();
    for (const o of snapshot.items) counts.set(String(o.kind), (counts.get(String(o.kind)) ?? 0) + 1);
    io.stderr(`snapshot of ${cluster.server}: ${[...counts].map(([k, n]) => `${n} ${k}`).join(', ') || 'no objects'}\n`);
    return 0;
  },
};
