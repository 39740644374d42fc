/**
 * `dralloc schedule`: place every Pod of the input, one after the other as kube-scheduler does,
 * allocating its claims; print the bound Pods and allocated claims, or run statistics.
 */

import { Engine } from '../engine.js';
import type { Pod, ResourceClaim } from '../model/types.js';
import { schedule, type Strategy } from '../schedule/scheduler.js';
import { utilization } from '../schedule/stats.js';
import { formatObject, list } from './format.js';
import { loadInputs } from './inputs.js';
import { counterAccounting, COUNTER_ACCOUNTING_FLAG, COUNTER_ACCOUNTING_HELP, outputFormat, parseFlags, required, UsageError, type Command } from './command.js';
import { progressBar } from './progress.js';
import { writeReport } from '../report/index.js';

export const scheduleCommand: Command = {
  name: 'schedule',
  usage: `dralloc schedule -f PATH [-f PATH ...] [--strategy upstream|pack] [--feature-gates K=V,...] [-o yaml|json|stats] [--report FILE.html] [--quiet]
                 [${COUNTER_ACCOUNTING_FLAG}]

  Pods are taken by priority (spec.priority, higher first), then in input order. For each, a node
  is found where all its claims (named claims, claims stamped from ResourceClaimTemplates, and
  extended-resource requests) can be allocated together; the allocation is carried into the
  state the next Pod sees.
  --strategy upstream  kube-scheduler's node order and DRA score (default; ties: first node)
  --strategy pack      best fit: fullest nodes first, fewer fragmented devices and counters
  -o yaml|json         a v1 List: Pods (spec.nodeName set, or a PodScheduled=False condition
                       saying why not) and claims (status.allocation, status.reservedFor)
  -o stats             one JSON object: counts, seconds per phase, Pods per second, utilisation
  --report FILE.html   also write the HTML report of the run (as dralloc report does)
  --quiet              no progress bar (it only shows on a terminal anyway)
${COUNTER_ACCOUNTING_HELP}

  Exit 0: every Pod was placed. Exit 1: some Pods are unschedulable (stderr: one line per such
  Pod, "unschedulable: NS/NAME: <why>"). Exit 2: error.`,
  async run(argv, io) {
    const { values } = parseFlags(argv, {
      filename: { type: 'string', short: 'f', multiple: true },
      strategy: { type: 'string', default: 'upstream' },
      'feature-gates': { type: 'string' },
      output: { type: 'string', short: 'o', default: 'yaml' },
      quiet: { type: 'boolean', short: 'q', default: false },
      report: { type: 'string' },
      'counter-accounting': { type: 'string' },
    });
    const files = required(values.filename, '-f PATH');
    const output = outputFormat(values.output, ['yaml', 'json', 'stats'] as const);
    const strategy = values.strategy as Strategy;
    if (strategy !== 'upstream' && strategy !== 'pack') throw new UsageError(`unknown strategy "${strategy}" (want upstream or pack)`);
    const accounting = counterAccounting(values['counter-accounting']);

    const t0 = performance.now();
    const objects = await loadInputs(files, io);
    const t1 = performance.now();
    const engine = await Engine.create({ objects, featureGates: values['feature-gates'], counterAccounting: accounting });
    engine.precompile(); // inventory and node pools now, so that the solve phase measures solving
    const t2 = performance.now();
    const bar = progressBar(!values.quiet, 'scheduling');
    const result = schedule(engine, objects, { strategy, progress: (d, t) => bar.update(d, t) });
    bar.end();
    const t3 = performance.now();
    if (values.report) await writeReport(values.report, '--report', engine, result, { strategy });

    const scheduled = result.pods.filter((p) => p.node !== undefined).length;
    const unschedulable = result.pods.length - scheduled;
    if (output === 'stats') {
      const solve = (t3 - t2) / 1000;
      const used = utilization(engine, result.claims);
      const stats = {
        pods: result.pods.length,
        scheduled,
        unschedulable,
        strategy,
        seconds: { load: round((t1 - t0) / 1000), compile: round((t2 - t1) / 1000), solve: round(solve) },
        podsPerSecond: solve > 0 ? Math.round(result.pods.length / solve) : null,
        nodesExamined: result.counters.nodesExamined,
        allocations: result.counters.allocations,
        rejectedBySummary: result.counters.rejectedBySummary,
        devicesUsed: used.devicesUsed,
        utilization: { byClass: used.byClass, counters: used.counters },
      };
      io.stdout(JSON.stringify(stats, null, 2) + '\n');
    } else {
      const pods: Pod[] = result.pods.map((p) => (p.node !== undefined ? p.pod : withUnschedulable(p.pod, p.message ?? '')));
      const items: (Pod | ResourceClaim)[] = [...pods, ...result.claims];
      io.stdout(formatObject(list(items), output));
    }
    // Whatever the output format, stderr says which Pods stayed unplaced and why (stdout may be piped away).
    if (unschedulable > 0 && !objects.some((o) => o.kind === 'Node')) {
      io.stderr('warning: the input has no Node objects, so no Pod can be placed (add the Nodes with -f, e.g. from dralloc snapshot or dralloc gen)\n');
    }
    for (const p of result.pods) {
      if (p.node === undefined) io.stderr(`unschedulable: ${p.pod.metadata.namespace ?? 'default'}/${p.pod.metadata.name}: ${p.message}\n`);
    }
    return unschedulable > 0 ? 1 : 0;
  },
};

function round(s: number): number {
  return Math.round(s * 1e4) / 1e4;
}

function withUnschedulable(pod: Pod, message: string): Pod {
  const condition = { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message };
  const conditions = ((pod.status?.conditions as { type: string }[] | undefined) ?? []).filter((c) => c.type !== 'PodScheduled');
  return { ...pod, status: { ...pod.status, conditions: [...conditions, condition] } };
}
