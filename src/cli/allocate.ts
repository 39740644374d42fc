/**
 * `dralloc allocate`: allocate every claim of the input that has no `status.allocation`, all
 * together, on one node. Exit 0 with a v1 List of those claims (now allocated), 1 when they
 * cannot be allocated there, 2 on bad input or an allocation error.
 */

import { Engine } from '../engine.js';
import { claimRef } from '../model/requests.js';
import type { ResourceClaim } from '../model/types.js';
import { formatObject, list } from './format.js';
import { loadInputs } from './inputs.js';
import { counterAccounting, COUNTER_ACCOUNTING_FLAG, COUNTER_ACCOUNTING_HELP, outputFormat, parseFlags, required, type Command } from './command.js';
import { BUDGET_FLAGS, BUDGET_USAGE, budgetFlags } from './budget-flags.js';

export const allocateCommand: Command = {
  name: 'allocate',
  usage: `dralloc allocate -f PATH [-f PATH ...] --node NAME [--feature-gates K=V,...] [-o yaml|json]
                 [--filter-timeout D] [--max-steps N]
                 [${COUNTER_ACCOUNTING_FLAG}]

  Allocate all ResourceClaims of the input that have no status.allocation, together, on node
  NAME, exactly as the Kubernetes v1.36 scheduler's DRA allocator would. Claims that already
  have status.allocation are the allocated state.
  PATH: a YAML (multi-document) or JSON file, a folder (all *.yaml, *.yml, *.json below), or -
  for standard input.
${BUDGET_USAGE}
${COUNTER_ACCOUNTING_HELP}

  Exit 0: stdout is a v1 List of those claims with status.allocation set.
  Exit 1: the claims cannot be allocated on that node (stderr: "unsatisfiable: <why>", then per
          claim the first reason dralloc explain finds, and the explain command to run).
  Exit 2: bad input or an allocation error, also a search that ran out of its budget
          (stderr: "error: <message>").`,
  async run(argv, io) {
    const { values } = parseFlags(argv, {
      filename: { type: 'string', short: 'f', multiple: true },
      node: { type: 'string' },
      'feature-gates': { type: 'string' },
      output: { type: 'string', short: 'o', default: 'yaml' },
      ...BUDGET_FLAGS,
      'counter-accounting': { type: 'string' },
    });
    const files = required(values.filename, '-f PATH');
    const node = required(values.node, '--node NAME');
    const output = outputFormat(values.output);
    const budget = budgetFlags(values);
    const accounting = counterAccounting(values['counter-accounting']);

    const objects = await loadInputs(files, io);
    const engine = await Engine.create({ objects, featureGates: values['feature-gates'], ...budget, counterAccounting: accounting });
    const claims = objects.filter((o): o is ResourceClaim => o.kind === 'ResourceClaim' && !o.status?.allocation);
    const outcome = await engine.allocate(claims, { node });
    switch (outcome.kind) {
      case 'allocated': {
        const items = claims.map((c, i) => ({ ...c, status: { ...c.status, allocation: outcome.results[i] } }));
        io.stdout(formatObject(list(items), output));
        return 0;
      }
      case 'unsatisfiable':
        io.stderr(`unsatisfiable: ${outcome.reason}\n${await whyNot(engine, claims, node, files)}`);
        return 1;
      case 'error':
        io.stderr(`error: ${outcome.message}\n`);
        return 2;
    }
  },
};

/** Claims explained after an unsatisfiable answer (each costs a funnel; the rest are counted). */
const MAX_EXPLAINED = 10;

/**
 * The lines after `unsatisfiable: ...`: each claim explained alone on the node (as `schedule`
 * explains an unschedulable Pod), and the `dralloc explain` command that shows the funnels.
 * Explaining loads the selector diagnostics (and with them the CEL runtime): only on this path.
 */
async function whyNot(engine: Engine, claims: readonly ResourceClaim[], node: string, files: readonly string[]): Promise<string> {
  const { explainClaim, summarise } = await import('../explain/index.js');
  const explained = claims.slice(0, MAX_EXPLAINED).map((c) => explainClaim(engine, c, node));
  let out = explained.map((e) => `  ${summarise(e)}\n`).join('');
  if (claims.length > MAX_EXPLAINED) out += `  … and ${claims.length - MAX_EXPLAINED} more claims\n`;
  const failing = explained.find((e) => e.nodes[0]?.verdict !== 'allocatable');
  if (!failing && claims.length <= MAX_EXPLAINED) out += '  each claim fits alone: together they compete for the same devices, counters or capacity\n';
  const ref = failing?.claim ?? claimRef(claims[0]);
  out += `  details: dralloc explain ${files.map((f) => `-f ${f}`).join(' ')} --claim ${ref} --node ${node}\n`;
  return out;
}
