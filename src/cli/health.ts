/** `dralloc health`: devices kubelet reports as not healthy, per node, with the Pods using them. */

import { healthReport } from '../k8s/health.js';
import { clusterInput } from './cluster-input.js';
import { CONNECT_FLAGS, CONNECT_USAGE } from '../k8s/connect.js';
import { formatObject } from './format.js';
import { outputFormat, parseFlags, type Command } from './command.js';

export const healthCommand: Command = {
  name: 'health',
  usage: `dralloc health [-f PATH ...] [-o text|yaml|json] [--kubeconfig FILE] [--context NAME] [--in-cluster]

  Reads pod.status.*ContainerStatuses[].allocatedResourcesStatus (kubelet's device health for
  DRA claims) from files (-f, e.g. a dralloc snapshot) or the live cluster.
${CONNECT_USAGE}

  Exit 0: no device is Unhealthy. Exit 1: some are. Exit 2: error.`,
  async run(argv, io) {
    const { values } = parseFlags(argv, {
      filename: { type: 'string', short: 'f', multiple: true },
      output: { type: 'string', short: 'o', default: 'text' },
      ...CONNECT_FLAGS,
    });
    const output = outputFormat(values.output, ['text', 'yaml', 'json'] as const);
    const { objects } = await clusterInput(values, io);
    const report = healthReport(objects);
    if (output === 'text') {
      const lines = report.flatMap((n) => n.devices.map((d) => `${n.node}\t${d.device}\t${d.health}\t${d.pods.join(', ')}\n`));
      io.stdout(lines.join('') || 'all reported devices are healthy\n');
    } else {
      io.stdout(formatObject({ nodes: report }, output));
    }
    return report.some((n) => n.devices.some((d) => d.health === 'Unhealthy')) ? 1 : 0;
  },
};
