/**
 * `dralloc explain`: why a claim can or cannot be allocated — per request a funnel of device
 * counts, the stage that drops below what the request needs, and the devices that came
 * closest; for several nodes, the nodes grouped by the reason they fail.
 * Exit 0: the claim fits (on at least one node). 1: it does not. 2: bad input, or every node
 * answers with an allocation error.
 */

import { Engine } from '../engine.js';
import { explainClaim, groupByReason, funnelReason, STAGES, type Explanation, type NodeExplanation, type RequestFunnel } from '../explain/index.js';
import { findClaim } from './find-claim.js';
import { loadInputs } from './inputs.js';
import { counterAccounting, COUNTER_ACCOUNTING_FLAG, COUNTER_ACCOUNTING_HELP, outputFormat, parseFlags, required, UsageError, type Command } from './command.js';
import { stdoutPalette, table, type Palette } from './table.js';

export const explainCommand: Command = {
  name: 'explain',
  usage: `dralloc explain -f PATH [-f PATH ...] --claim NS/NAME [--node NAME | --all-nodes] [--feature-gates K=V,...] [-o text|wide|json]
                [${COUNTER_ACCOUNTING_FLAG}]

  For each request of the claim (each subrequest of a firstAvailable list), counts the devices
  that pass each stage: reachable from the node → match the class → match the request's
  selectors → not allocated → not tainted (or tolerated) → counters/capacity fit → satisfy the
  claim's constraints. The first stage with fewer devices than the request needs is named,
  with the devices that came closest and why each failed. The verdict is the allocator's.
  --claim NS/NAME  a ResourceClaim of the input (NAME alone when unique), or a claim a Pod's
                   ResourceClaimTemplate stamps (named <pod>-<claim name>)
  --node NAME      explain on one node; --all-nodes (the default): on every Node of the input,
                   grouped by the reason they fail
  -o text          funnels (one node) or reason groups (several); -o wide adds every node's
                   funnel counts and all near misses; -o json the explanation as data
  A selector (of the claim or its classes) that looks up an attribute or capacity no device has
  gets a "hint:" line with the closest one that exists ("did you mean ...?").
${COUNTER_ACCOUNTING_HELP}

  Exit 0: the claim fits (on at least one node). Exit 1: it fits nowhere. Exit 2: bad input, or
  the allocator answers with an error on every node.`,
  async run(argv, io) {
    const { values } = parseFlags(argv, {
      filename: { type: 'string', short: 'f', multiple: true },
      claim: { type: 'string' },
      node: { type: 'string' },
      'all-nodes': { type: 'boolean', default: false },
      'feature-gates': { type: 'string' },
      output: { type: 'string', short: 'o', default: 'text' },
      'counter-accounting': { type: 'string' },
    });
    const files = required(values.filename, '-f PATH');
    const ref = required(values.claim, '--claim NS/NAME');
    const output = outputFormat(values.output, ['text', 'wide', 'json'] as const);
    if (values.node !== undefined && values['all-nodes']) throw new UsageError('--node and --all-nodes exclude each other');
    const accounting = counterAccounting(values['counter-accounting']);

    const objects = await loadInputs(files, io);
    const claim = findClaim(objects, ref);
    const engine = await Engine.create({ objects, featureGates: values['feature-gates'], counterAccounting: accounting });
    const explanation = explainClaim(engine, claim, values.node);
    if (output === 'json') io.stdout(JSON.stringify(explanation, null, 2) + '\n');
    else io.stdout(render(explanation, output === 'wide', stdoutPalette()));
    return exitCode(explanation);
  },
};

function exitCode(e: Explanation): number {
  if (e.nodes.some((n) => n.verdict === 'allocatable' || n.verdict === 'allocated')) return 0;
  if (e.nodes.length > 0 && e.nodes.every((n) => n.verdict === 'error')) return 2;
  return 1;
}

/** Text for people: the funnels of one node, or the reason groups of several. */
export function render(e: Explanation, wide: boolean, p: Palette): string {
  const hints = (e.hints ?? []).map((h) => `\nhint: ${h}\n`).join('');
  if (e.nodes.length === 0) return `claim ${e.claim}: the input has no Node objects\n${hints}`;
  if (e.nodes.length === 1) return renderNode(e.claim, e.nodes[0], wide, p) + hints;
  return renderNodes(e, wide, p) + hints;
}

function renderNodes(e: Explanation, wide: boolean, p: Palette): string {
  const ok = e.nodes.filter((n) => n.verdict === 'allocatable' || n.verdict === 'allocated').length;
  let out = `claim ${e.claim}: ${(ok > 0 ? p.green : p.red)(`${ok}/${e.nodes.length} nodes can allocate it`)}\n\n`;
  const groups = groupByReason(e.nodes).map((g) => [String(g.nodes.length), g.reason === 'fits' ? p.green(g.reason) : g.reason, listNodes(g.nodes, wide)]);
  out += table(groups, ['NODES', 'REASON', 'WHICH'].map(p.bold));
  if (wide) {
    out += '\n' + table(e.nodes.flatMap(nodeRows), ['NODE', 'VERDICT', 'REQUEST', STAGES.join('→')].map(p.bold));
  }
  return out;
}

function listNodes(nodes: string[], wide: boolean): string {
  const max = wide ? nodes.length : 5;
  return nodes.slice(0, max).join(', ') + (nodes.length > max ? `, … (+${nodes.length - max})` : '');
}

function nodeRows(n: NodeExplanation): string[][] {
  const funnels = n.requests.flatMap((r) => r.funnels);
  if (funnels.length === 0) return [[n.node, n.verdict, '-', n.message ?? '']];
  return funnels.map((f) => [n.node, n.verdict, f.request, f.stages.map((s) => s.count).join('→')]);
}

function renderNode(claim: string, n: NodeExplanation, wide: boolean, p: Palette): string {
  const verdict = n.verdict === 'allocatable' || n.verdict === 'allocated' ? p.green(n.verdict) : p.red(n.verdict);
  let out = `claim ${claim} on node ${n.node}: ${verdict}\n`;
  if (n.verdict === 'unsatisfiable') out += `  ${n.reason}\n`;
  else if (n.message) out += `  ${n.message}\n`;
  for (const r of n.requests) for (const f of r.funnels) out += '\n' + renderFunnel(f, wide, p);
  for (const note of n.notes) out += `\nnote: ${note}\n`;
  return out;
}

function renderFunnel(f: RequestFunnel, wide: boolean, p: Palette): string {
  const need = f.mode === 'All' ? `all matching (${f.needed})` : `${f.needed} device${f.needed === 1 ? '' : 's'}`;
  let out = `${p.bold(`request ${f.request}`)} (class ${f.deviceClass}, needs ${need})\n`;
  const rows = f.stages.map((s) => {
    const failed = s.stage === f.failedAt;
    return ['  ' + (failed ? p.red(s.stage) : s.stage), failed ? p.red(String(s.count)) : String(s.count), failed ? `✗ ${funnelReason(f)}` : ''];
  });
  out += table(rows);
  if (f.failedAt !== undefined && f.nearMisses.length > 0) {
    const shown = wide ? f.nearMisses : f.nearMisses.slice(0, 5);
    out += `  closest devices (${f.droppedAtFailure} dropped out at ${f.failedAt}):\n`;
    out += table(shown.map((m) => ['    ' + m.device, p.dim(m.reason)]));
    if (f.droppedAtFailure > shown.length) out += `    … and ${f.droppedAtFailure - shown.length} more\n`;
  }
  return out;
}
