/**
 * `dralloc report`: schedule the input's Pods exactly as `dralloc schedule` does, then write the
 * result as one self-contained HTML page (node grid, utilisation, fragmentation, unschedulable
 * Pods). `dralloc schedule --report FILE` writes the same page next to its usual output.
 */

import { Engine } from '../engine.js';
import { schedule, type Strategy } from '../schedule/scheduler.js';
import { writeReport } from '../report/index.js';
import { loadInputs } from './inputs.js';
import { counterAccounting, COUNTER_ACCOUNTING_FLAG, COUNTER_ACCOUNTING_HELP, parseFlags, required, UsageError, type Command } from './command.js';
import { progressBar } from './progress.js';

export const reportCommand: Command = {
  name: 'report',
  usage: `dralloc report -f PATH [-f PATH ...] -o FILE.html [--strategy upstream|pack] [--feature-gates K=V,...] [--title TEXT] [--quiet]
               [${COUNTER_ACCOUNTING_FLAG}]

  Places every Pod as \`dralloc schedule\` does, then writes one self-contained HTML page (no
  network access needed): per node and device a grid of what is allocated, shared, free or
  blocked; counter and capacity fill; fragmentation; utilisation per DeviceClass; the
  unschedulable Pods and why. Large clusters stay usable: one small cell per node, details on
  hover and click.
  -o FILE.html         where to write the page
  --strategy           upstream (default) or pack, as for schedule
  --title TEXT         the page's title (default "dralloc schedule report")
${COUNTER_ACCOUNTING_HELP}

  Exit 0: every Pod was placed. Exit 1: some Pods are unschedulable (the page says why).
  Exit 2: error. Either way stdout names the file written.`,
  async run(argv, io) {
    const { values } = parseFlags(argv, {
      filename: { type: 'string', short: 'f', multiple: true },
      output: { type: 'string', short: 'o' },
      strategy: { type: 'string', default: 'upstream' },
      'feature-gates': { type: 'string' },
      title: { type: 'string' },
      quiet: { type: 'boolean', short: 'q', default: false },
      'counter-accounting': { type: 'string' },
    });
    const files = required(values.filename, '-f PATH');
    const out = required(values.output, '-o FILE.html');
    const strategy = values.strategy as Strategy;
    if (strategy !== 'upstream' && strategy !== 'pack') throw new UsageError(`unknown strategy "${strategy}" (want upstream or pack)`);
    const accounting = counterAccounting(values['counter-accounting']);

    const objects = await loadInputs(files, io);
    const engine = await Engine.create({ objects, featureGates: values['feature-gates'], counterAccounting: accounting });
    engine.precompile(); // as schedule does: compiling every node up front is much faster than on first use
    const bar = progressBar(!values.quiet, 'scheduling');
    const result = schedule(engine, objects, { strategy, progress: (d, t) => bar.update(d, t) });
    bar.end();
    const bytes = await writeReport(out, '-o', engine, result, { strategy, title: values.title });
    const placed = result.pods.filter((p) => p.node !== undefined).length;
    const unschedulable = result.pods.length - placed;
    io.stdout(`wrote ${out} (${Math.ceil(bytes / 1024)} KiB): ${result.pods.length} Pods, ${placed} placed, ${unschedulable} unschedulable\n`);
    return unschedulable > 0 ? 1 : 0;
  },
};
