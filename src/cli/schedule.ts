/**
 * `dralloc schedule`: place every Pod of the input, one after the other as kube-scheduler does,
 * allocating its claims; print the bound Pods and allocated claims, or run statistics.
 */

import { Engine } from '../engine.js';
import type { Pod, ResourceClaim } from '../model/types.js';
import { schedule, type Strategy } from '../schedule/scheduler.js';
import type { GroupOutcome } from '../schedule/pod-groups.js';
import { utilization } from '../schedule/stats.js';
import { listPieces } from './format.js';
import { writeOutput } from './io.js';
import { loadInputs } from './inputs.js';
import { allocatedStateError, allocatedStateProblems } from '../schedule/allocated-check.js';
import { InputError } from '../model/errors.js';
import { counterAccounting, COUNTER_ACCOUNTING_FLAG, COUNTER_ACCOUNTING_HELP, outputFormat, parseFlags, positiveInt, required, UsageError, type Command } from './command.js';
import { DEFAULT_GANG_SEARCH } from '../schedule/gang-search.js';
import { progressBar } from './progress.js';
import { BUDGET_FLAGS, BUDGET_USAGE, budgetFlags } from './budget-flags.js';
import { writeReport } from '../report/index.js';
import { stampUids, withUid } from '../schedule/uids.js';
import { placementKernel, PlacementKernelError, type PlacementKernel } from '../schedule/placement/runs.js';

export const scheduleCommand: Command = {
  name: 'schedule',
  usage: `dralloc schedule -f PATH [-f PATH ...] [--strategy upstream|pack] [--gang-search] [--gang-search-budget N]
                [--placement wasm|ts|host] [--feature-gates K=V,...] [-o yaml|json|stats] [--report FILE.html] [--quiet]
                [--filter-timeout D] [--max-steps N] [${COUNTER_ACCOUNTING_FLAG}]

  Pods are taken by priority (spec.priority, higher first), then in input order. For each, a node
  is found where all its claims (named claims, claims stamped from ResourceClaimTemplates, and
  extended-resource requests) can be allocated together; the allocation is carried into the
  state the next Pod sees. Pods of a PodGroup (spec.schedulingGroup) are scheduled together when
  the group's first Pod comes up; a gang (minCount) is bound only if at least minCount of its
  Pods fit, otherwise none is and its devices stay free (kube-scheduler v1.36's PodGroup cycle).
  --strategy upstream  kube-scheduler's node order and DRA score (default; ties: first node)
  --strategy pack      best fit: fullest nodes first, fewer fragmented devices and counters
  --gang-search        a gang the upstream cycle does not admit is searched as a unit: other
                       nodes and devices for its Pods, backtracking (see docs/gangs.md)
  --gang-search-budget N  steps (a node tried for a Pod) per gang before the search gives up
                       (default ${DEFAULT_GANG_SEARCH.budget}; implies --gang-search)
  -o yaml|json         a v1 List: Pods (spec.nodeName set, or a PodScheduled=False condition
                       saying why not) and claims (status.allocation, status.reservedFor); a Pod
                       or claim without metadata.uid gets a deterministic one (UUID v5 of
                       Kind/namespace/name), so reservedFor always names the Pod's uid
  --placement wasm|ts|host  where runs of simple Pods (claims stamped from templates only, no
                       PodGroup) are placed: the placement loop in the
                       WASM core over resident cluster state (wasm, the default, or
                       DRALLOC_PLACEMENT), the same loop in TypeScript (ts), or Pod by Pod on the
                       host (host); the output is the same
  -o stats             one JSON object: counts, seconds per phase, Pods per second, utilisation,
                       and what the placement kernel did (its runs, the Pods it placed, the
                       seconds inside its loop)
  --report FILE.html   also write the HTML report of the run (as dralloc report does)
  --quiet              no progress bar (it only shows on a terminal anyway)
${BUDGET_USAGE}
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
      'gang-search': { type: 'boolean', default: false },
      'gang-search-budget': { type: 'string' },
      ...BUDGET_FLAGS,
      'counter-accounting': { type: 'string' },
      placement: { type: 'string' },
    });
    const files = required(values.filename, '-f PATH');
    const output = outputFormat(values.output, ['yaml', 'json', 'stats'] as const);
    const strategy = values.strategy as Strategy;
    const budget = budgetFlags(values);
    if (strategy !== 'upstream' && strategy !== 'pack') throw new UsageError(`unknown strategy "${strategy}" (want upstream or pack)`);
    const gangBudget = positiveInt('--gang-search-budget', values['gang-search-budget']);
    const gangSearch = values['gang-search'] || gangBudget !== undefined ? { ...DEFAULT_GANG_SEARCH, budget: gangBudget ?? DEFAULT_GANG_SEARCH.budget } : undefined;
    const accounting = counterAccounting(values['counter-accounting']);
    const placement = placementFlag(values.placement);

    const t0 = performance.now();
    // Pods and claims without metadata.uid get deterministic ones (uids.ts), so reservedFor always names a uid.
    const objects = stampUids(await loadInputs(files, io));
    const inconsistent = allocatedStateProblems(objects);
    if (inconsistent.length > 0) throw new InputError(allocatedStateError(inconsistent));
    const t1 = performance.now();
    const engine = await Engine.create({ objects, featureGates: values['feature-gates'], ...budget, counterAccounting: accounting });
    engine.precompile(); // inventory and node pools now, so that the solve phase measures solving
    const t2 = performance.now();
    const bar = progressBar(!values.quiet, 'scheduling');
    const result = schedule(engine, objects, { strategy, gangSearch, placement, progress: (d, t) => bar.update(d, t) });
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
        placement: result.placement
          ? { kernel: result.placement.kernel, runs: result.placement.runs, placed: result.placement.placed, seconds: round(result.placement.ms / 1000) }
          : { kernel: 'host' },
        devicesUsed: used.devicesUsed,
        utilization: { byClass: used.byClass, counters: used.counters },
        ...(result.groups ? { podGroups: groupStats(result.groups) } : {}),
      };
      io.stdout(JSON.stringify(stats, null, 2) + '\n');
    } else {
      const pods: Pod[] = result.pods.map((p) => (p.node !== undefined ? p.pod : withUnschedulable(p.pod, p.message ?? '')));
      const items: (Pod | ResourceClaim)[] = [...pods, ...result.claims.map(withUid)]; // claims stamped from templates get theirs here
      await writeOutput(io, listPieces(items, output));
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

/** --placement, else DRALLOC_PLACEMENT, else wasm. */
function placementFlag(v: string | undefined): PlacementKernel {
  try {
    return placementKernel(v as PlacementKernel | undefined, '--placement');
  } catch (e) {
    if (e instanceof PlacementKernelError) throw new UsageError(e.message);
    throw e;
  }
}

/** Counts over the PodGroups of a run, for `-o stats`. */
function groupStats(groups: readonly GroupOutcome[]) {
  const gangs = groups.filter((g) => g.policy === 'gang');
  const searched = gangs.filter((g) => g.search);
  return {
    gangs: gangs.length,
    admitted: gangs.filter((g) => g.admitted).length,
    rejected: gangs.filter((g) => !g.admitted).length,
    basic: groups.filter((g) => g.policy === 'basic').length,
    missing: groups.filter((g) => g.policy === 'missing').length,
    ...(searched.length
      ? { search: { searched: searched.length, found: searched.filter((g) => g.search!.found).length, budgetExhausted: searched.filter((g) => g.search!.exhausted).length, steps: searched.reduce((n, g) => n + g.search!.steps, 0) } }
      : {}),
  };
}

function round(s: number): number {
  return Math.round(s * 1e4) / 1e4;
}

function withUnschedulable(pod: Pod, message: string): Pod {
  const condition = { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message };
  const conditions = ((pod.status?.conditions as { type: string }[] | undefined) ?? []).filter((c) => c.type !== 'PodScheduled');
  return { ...pod, status: { ...pod.status, conditions: [...conditions, condition] } };
}
