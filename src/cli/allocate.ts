/**
 * `dralloc allocate`: allocate every claim of the input that has no `status.allocation`, all
 * together, on one node. Exit 0 with a v1 List of those claims (now allocated), 1 when they
 * cannot be allocated there, 2 on bad input or an allocation error.
 */

import { Engine } from '../engine.js';
import type { ResourceClaim } from '../model/types.js';
import { formatObject, list, type OutputFormat } from './format.js';
import type { CliIO } from './io.js';
import { loadInputs } from './inputs.js';

export interface AllocateArgs {
  files: string[];
  node: string;
  featureGates?: string;
  output: OutputFormat;
  maxSteps?: number;
}

export async function runAllocate(args: AllocateArgs, io: CliIO): Promise<number> {
  const objects = await loadInputs(args.files, io);
  const engine = await Engine.create({ objects, featureGates: args.featureGates, maxSteps: args.maxSteps });
  const claims = objects.filter((o): o is ResourceClaim => o.kind === 'ResourceClaim' && !o.status?.allocation);
  const outcome = await engine.allocate(claims, { node: args.node });
  switch (outcome.kind) {
    case 'allocated': {
      const items = claims.map((c, i) => ({ ...c, status: { ...c.status, allocation: outcome.results[i] } }));
      io.stdout(formatObject(list(items), args.output));
      return 0;
    }
    case 'unsatisfiable':
      io.stderr(`unsatisfiable: ${outcome.reason}\n`);
      return 1;
    case 'error':
      io.stderr(`error: ${outcome.message}\n`);
      return 2;
  }
}
