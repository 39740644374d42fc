/** `dralloc evictions`: the Pods NoExecute device taints evict, and when; --apply deletes the due ones. */

import { InputError } from '../model/errors.js';
import { planEvictions, type Eviction } from '../k8s/evictions.js';
import { clusterInput } from './cluster-input.js';
import { apiErrorText, CONNECT_FLAGS, CONNECT_USAGE } from '../k8s/connect.js';
import { deletePod } from '../k8s/writes.js';
import type { Pod } from '../model/types.js';
import { formatObject } from './format.js';
import { outputFormat, parseFlags, UsageError, type Command } from './command.js';

export const evictionsCommand: Command = {
  name: 'evictions',
  usage: `dralloc evictions [-f PATH ...] [--now TIME] [--apply] [-o text|yaml|json] [--kubeconfig FILE] [--context NAME] [--in-cluster]

  Device taints with effect NoExecute (in ResourceSlices and from DeviceTaintRules) evict the
  Pods using a tainted device unless the allocation tolerates the taint: at once when not
  tolerated, tolerationSeconds after the taint's timeAdded when tolerated for a while, never when
  tolerated without a time limit. Reads files (-f, e.g. a dralloc snapshot) or the live cluster.
  --now TIME           the time to judge "due" by (RFC 3339; default: now)
  --apply              delete the Pods whose eviction time has come, as the eviction controller
                       does (live cluster only; without it nothing is changed)
  -o text|yaml|json    output (default text: one line per Pod)
${CONNECT_USAGE}

  Exit 0: no Pod is due for eviction. Exit 1: some are (listed; deleted with --apply). Exit 2: error.`,
  async run(argv, io) {
    const { values } = parseFlags(argv, {
      filename: { type: 'string', short: 'f', multiple: true },
      now: { type: 'string' },
      apply: { type: 'boolean', default: false },
      output: { type: 'string', short: 'o', default: 'text' },
      ...CONNECT_FLAGS,
    });
    const output = outputFormat(values.output, ['text', 'yaml', 'json'] as const);
    const now = values.now === undefined ? new Date() : new Date(values.now);
    if (Number.isNaN(now.getTime())) throw new UsageError(`--now wants an RFC 3339 time, got "${values.now}"`);
    if (values.apply && values.filename?.length) throw new UsageError('--apply works on a live cluster, not on files (-f)');
    const { objects, cluster } = await clusterInput(values, io);
    const plan = planEvictions(objects, now);
    const due = plan.filter((e) => new Date(e.evictAt) <= now);
    if (output === 'text') io.stdout(plan.map((e) => line(e, now)).join(''));
    else io.stdout(formatObject({ now: now.toISOString(), evictions: plan.map((e) => ({ ...e, due: new Date(e.evictAt) <= now })) }, output));
    if (values.apply && cluster) {
      for (const e of due) {
        const pod = { kind: 'Pod', metadata: { name: e.pod.name, namespace: e.pod.namespace }, spec: {} } as Pod;
        await deletePod(cluster, pod).catch((err: unknown) => {
          throw new InputError(`deleting pod ${e.pod.namespace}/${e.pod.name}: ${apiErrorText(err)}`);
        });
        io.stderr(`deleted pod ${e.pod.namespace}/${e.pod.name} (taint ${e.taint.key} on ${e.device})\n`);
      }
    } else if (due.length > 0) {
      io.stderr(`dry run: ${due.length} Pod(s) due for eviction; --apply deletes them\n`);
    }
    return due.length > 0 ? 1 : 0;
  },
};

function line(e: Eviction, now: Date): string {
  const when = new Date(e.evictAt) <= now ? `due since ${e.evictAt}` : `at ${e.evictAt}`;
  const taint = `${e.taint.key}${e.taint.value ? `=${e.taint.value}` : ''}:${e.taint.effect}`;
  return `${e.pod.namespace}/${e.pod.name}\tnode ${e.pod.node ?? '-'}\t${when}\t${e.reason}\ttaint ${taint} on ${e.device} (claim ${e.claim})\n`;
}
