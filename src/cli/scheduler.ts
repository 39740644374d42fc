/** `dralloc scheduler`: run as a secondary scheduler against a live cluster until SIGTERM/SIGINT. */

import { connect, connectOptions, CONNECT_FLAGS, CONNECT_USAGE } from '../k8s/connect.js';
import { LiveScheduler } from '../k8s/live-scheduler.js';
import type { Strategy } from '../schedule/scheduler.js';
import { parseFlags, positiveInt, required, UsageError, type Command } from './command.js';
import { BUDGET_FLAGS, BUDGET_USAGE, budgetFlags } from './budget-flags.js';

export const schedulerCommand: Command = {
  name: 'scheduler',
  summary: 'run a secondary scheduler for Pods with spec.schedulerName: NAME on a live cluster',
  usage: `dralloc scheduler --scheduler-name NAME [--manage-claims] [--strategy upstream|pack] [--feature-gates K=V,...]
                  [--resync-seconds N] [--filter-timeout D] [--max-steps N]
                  [--kubeconfig FILE] [--context NAME] [--in-cluster]

  Schedules the Pods with spec.schedulerName: NAME: allocates their claims (status.allocation and
  status.reservedFor, written with resourceVersion preconditions), then binds them. Unschedulable
  Pods get a PodScheduled=False condition and a FailedScheduling event. Runs until SIGTERM or
  SIGINT, then finishes the Pod in progress and exits 0. See docs/cluster.md (RBAC, manifests).
  --manage-claims      also create the Pods' claims from ResourceClaimTemplates (the resourceclaim
                       controller's job) for clusters without kube-controller-manager
  --resync-seconds N   retry unschedulable Pods at least every N seconds (default 30)
${BUDGET_USAGE}
                       A long search yields between slices: other Pods' writes, informer
                       events and SIGTERM are served meanwhile.
${CONNECT_USAGE}`,
  async run(argv, io) {
    const { values } = parseFlags(argv, {
      'scheduler-name': { type: 'string' },
      'manage-claims': { type: 'boolean', default: false },
      strategy: { type: 'string', default: 'upstream' },
      'feature-gates': { type: 'string' },
      'resync-seconds': { type: 'string' },
      ...BUDGET_FLAGS,
      ...CONNECT_FLAGS,
    });
    const schedulerName = required(values['scheduler-name'], '--scheduler-name NAME');
    const strategy = values.strategy as Strategy;
    if (strategy !== 'upstream' && strategy !== 'pack') throw new UsageError(`unknown strategy "${strategy}" (want upstream or pack)`);
    const resync = positiveInt('--resync-seconds', values['resync-seconds']) ?? 30;
    const budget = budgetFlags(values);
    const cluster = await connect(connectOptions(values));
    const log = (line: string) => io.stderr(`${new Date().toISOString()} ${line}\n`);
    const scheduler = await LiveScheduler.start(cluster, {
      schedulerName,
      manageClaims: values['manage-claims'],
      strategy,
      featureGates: values['feature-gates'],
      resyncMs: resync * 1000,
      budget,
      log,
    });
    log(`scheduler ${schedulerName} running against ${cluster.server}`);
    await new Promise<void>((resolve) => {
      process.once('SIGTERM', resolve);
      process.once('SIGINT', resolve);
    });
    log('stopping');
    await scheduler.stop();
    log(`stopped: ${JSON.stringify(scheduler.stats)}`);
    return 0;
  },
};
