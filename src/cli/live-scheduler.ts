/** `dralloc scheduler`: run as a secondary scheduler against a live cluster until SIGTERM/SIGINT. */

import { apiErrorText, connect, connectOptions, CONNECT_FLAGS, CONNECT_USAGE } from '../k8s/connect.js';
import { InputError } from '../model/errors.js';
import { LiveScheduler } from '../k8s/live-scheduler.js';
import { LEADER_DEFAULTS } from '../k8s/leader.js';
import { parseBindAddress, startMetrics } from '../k8s/metrics.js';
import type { Strategy } from '../schedule/scheduler.js';
import { counterAccounting, COUNTER_ACCOUNTING_FLAG, COUNTER_ACCOUNTING_HELP, parseFlags, positiveInt, required, UsageError, type Command } from './command.js';
import { BUDGET_FLAGS, BUDGET_USAGE, budgetFlags } from './budget-flags.js';
import { parseDuration } from '../budget.js';

export const schedulerCommand: Command = {
  name: 'scheduler',
  usage: `dralloc scheduler --scheduler-name NAME [--manage-claims] [--strategy upstream|pack] [--feature-gates K=V,...]
                  [--resync-seconds N] [--filter-timeout D] [--max-steps N] [${COUNTER_ACCOUNTING_FLAG}]
                  [--leader-elect[=false]] [--leader-elect-* ...]
                  [--metrics-bind-address HOST:PORT] [--kubeconfig FILE] [--context NAME] [--in-cluster]

  Schedules the Pods with spec.schedulerName: NAME: allocates their claims (status.allocation and
  status.reservedFor, written with resourceVersion preconditions), then binds them. Unschedulable
  Pods get a PodScheduled=False condition and a FailedScheduling event, bound ones a Scheduled
  event (events.k8s.io/v1). Pods of a gang PodGroup (scheduling.k8s.io/v1alpha2) are placed
  together: none is bound unless at least minCount of them fit, and their claims are all written
  before the first binding; they wait for their PodGroup and for minCount Pods (docs/gangs.md);
  Pods of a basic PodGroup run the same cycle without minCount (each one that fits is bound);
  the PodGroup gets kube-scheduler's PodGroupScheduled condition after each group cycle.
  With --feature-gates DRAWorkloadResourceClaims=true a claim Pods share through their PodGroup
  is allocated once and reserved for the PodGroup.
  Runs until SIGTERM or SIGINT, then finishes the Pod in progress and exits 0. See
  docs/cluster.md (RBAC, manifests).
  --manage-claims      also create the Pods' claims from ResourceClaimTemplates (the resourceclaim
                       controller's job) for clusters without kube-controller-manager
  --resync-seconds N   retry unschedulable Pods at least every N seconds (default 30)
${BUDGET_USAGE}
                       A long search yields between slices: other Pods' writes, informer
                       events and SIGTERM are served meanwhile.
${COUNTER_ACCOUNTING_HELP}
  --leader-elect[=true|false]
                       only the holder of a coordination.k8s.io/v1 Lease schedules, as kube-scheduler
                       (default true; run several replicas for HA)
  --leader-elect-resource-name NAME        the Lease's name (default: the scheduler name)
  --leader-elect-resource-namespace NS     the Lease's namespace (default kube-system)
  --leader-elect-lease-duration D          how long followers wait after the last renewal (default 15s)
  --leader-elect-renew-deadline D          the leader stops when it cannot renew for this long (default 10s)
  --leader-elect-retry-period D            how often to try to acquire or renew (default 2s)
                       (durations as kube-scheduler's: 500ms, 15s, 1m30s)
  --metrics-bind-address HOST:PORT
                       serve /metrics (Prometheus, kube-scheduler's metric names), /healthz,
                       /livez and /readyz there (e.g. :10259; default: off)
${CONNECT_USAGE}`,
  async run(argv, io) {
    const { values } = parseFlags(leaderElectFlag(argv), {
      'scheduler-name': { type: 'string' },
      'manage-claims': { type: 'boolean', default: false },
      strategy: { type: 'string', default: 'upstream' },
      'feature-gates': { type: 'string' },
      'resync-seconds': { type: 'string' },
      ...BUDGET_FLAGS,
      'counter-accounting': { type: 'string' },
      'leader-elect': { type: 'boolean', default: true },
      'no-leader-elect': { type: 'boolean', default: false },
      'leader-elect-resource-name': { type: 'string' },
      'leader-elect-resource-namespace': { type: 'string', default: 'kube-system' },
      'leader-elect-lease-duration': { type: 'string' },
      'leader-elect-renew-deadline': { type: 'string' },
      'leader-elect-retry-period': { type: 'string' },
      'metrics-bind-address': { type: 'string' },
      ...CONNECT_FLAGS,
    });
    const schedulerName = required(values['scheduler-name'], '--scheduler-name NAME');
    const strategy = values.strategy as Strategy;
    if (strategy !== 'upstream' && strategy !== 'pack') throw new UsageError(`unknown strategy "${strategy}" (want upstream or pack)`);
    const resync = positiveInt('--resync-seconds', values['resync-seconds']) ?? 30;
    const budget = budgetFlags(values);
    const accounting = counterAccounting(values['counter-accounting']);
    const election = {
      name: values['leader-elect-resource-name'] ?? schedulerName,
      namespace: values['leader-elect-resource-namespace'],
      leaseDurationMs: duration('--leader-elect-lease-duration', values['leader-elect-lease-duration']) ?? LEADER_DEFAULTS.leaseDurationMs,
      renewDeadlineMs: duration('--leader-elect-renew-deadline', values['leader-elect-renew-deadline']) ?? LEADER_DEFAULTS.renewDeadlineMs,
      retryPeriodMs: duration('--leader-elect-retry-period', values['leader-elect-retry-period']) ?? LEADER_DEFAULTS.retryPeriodMs,
    };
    if (!(election.retryPeriodMs < election.renewDeadlineMs && election.renewDeadlineMs < election.leaseDurationMs)) {
      throw new UsageError('leader election needs --leader-elect-retry-period < --leader-elect-renew-deadline < --leader-elect-lease-duration');
    }
    const bind = values['metrics-bind-address'];
    const address = bind === undefined ? undefined : parseBindAddress(bind);
    if (bind !== undefined && !address) throw new UsageError(`--metrics-bind-address wants HOST:PORT, got "${bind}"`);
    const cluster = await connect(connectOptions(values));
    let scheduler: LiveScheduler | undefined;
    const metrics = address && (await startMetrics(address, schedulerName, () => scheduler).catch((e: unknown) => {
      throw new InputError(`--metrics-bind-address ${bind}: ${(e as Error).message}`);
    }));
    const log = (line: string) => io.stderr(`${new Date().toISOString()} ${line}\n`);
    scheduler = await LiveScheduler.start(cluster, {
      schedulerName,
      manageClaims: values['manage-claims'],
      strategy,
      featureGates: values['feature-gates'],
      counterAccounting: accounting,
      resyncMs: resync * 1000,
      budget,
      leaderElection: values['no-leader-elect'] ? undefined : election,
      onAttempt: metrics ? metrics.record : undefined,
      log,
    }).catch((e: unknown) => {
      throw new InputError(`${cluster.server}: ${apiErrorText(e)}`);
    });
    log(`scheduler ${schedulerName} running against ${cluster.server}${metrics ? `; metrics and health on ${metrics.address}` : ''}`);
    await new Promise<void>((resolve) => {
      process.once('SIGTERM', resolve);
      process.once('SIGINT', resolve);
    });
    log('stopping');
    await scheduler.stop();
    await metrics?.close();
    log(`stopped: ${JSON.stringify(scheduler.stats)}`);
    // A watch whose response headers have not arrived (a buffering proxy) cannot be aborted
    // through client-node and would keep the process alive; everything is written (stderr is
    // synchronous), so leave now.
    process.exit(0);
  },
};

/** `--leader-elect=true|false` (kube-scheduler's spelling) as the boolean flags parseArgs knows. */
function leaderElectFlag(argv: string[]): string[] {
  return argv.map((a) => {
    const m = /^--leader-elect=(.*)$/.exec(a);
    if (!m) return a;
    if (m[1] === 'true') return '--leader-elect';
    if (m[1] === 'false') return '--no-leader-elect';
    throw new UsageError(`--leader-elect wants true or false, got "${m[1]}"`);
  });
}

/** A Go-style duration (`500ms`, `15s`, `1m30s`, `1h`) in milliseconds. */
export function duration(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const ms = parseDuration(v);
  if (ms === undefined || ms <= 0) throw new UsageError(`${flag} wants a duration such as 15s or 500ms, got "${v}"`);
  return Math.round(ms);
}
