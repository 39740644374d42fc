#!/usr/bin/env node
/**
 * The `dralloc` command line. Exit codes: 0 ok, 1 unsatisfiable (or findings), 2 error.
 * Every error is printed as `error: <message>` on stderr.
 */

import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { realpathSync } from 'node:fs';
import { runAllocate } from './allocate.js';
import { processIO, type CliIO } from './io.js';
import { InputError } from '../model/errors.js';
import { FeatureGateError } from '../features.js';
import type { OutputFormat } from './format.js';

const USAGE = `Usage: dralloc <command> [flags]

Commands:
  allocate -f PATH [-f PATH ...] --node NAME [--feature-gates K=V,...] [-o yaml|json] [--max-steps N]
      Allocate all ResourceClaims of the input that have no status.allocation, together, on
      node NAME, exactly as the Kubernetes v1.36 scheduler's DRA allocator would.
      PATH: a YAML (multi-document) or JSON file, a folder (all *.yaml, *.yml, *.json below),
      or - for standard input.
      Exit 0: stdout is a v1 List of those claims with status.allocation set.
      Exit 1: the claims cannot be allocated on that node (stderr says why).
      Exit 2: bad input or an allocation error (stderr: "error: <message>").

Feature gates (Kubernetes names, v1.36 defaults): DRAAdminAccess=true, DRAPrioritizedList=true,
  DRADeviceTaints=true, DRAPartitionableDevices=true, DRAConsumableCapacity=true,
  DRADeviceBindingConditions=true, DRAResourceClaimDeviceStatus=true, DRAExtendedResource=true,
  DRAListTypeAttributes=false.
`;

class UsageError extends Error {}

export async function main(argv: string[], io: CliIO = processIO): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'allocate': {
        const { values } = parseArgs({
          args: rest,
          options: {
            filename: { type: 'string', short: 'f', multiple: true },
            node: { type: 'string' },
            'feature-gates': { type: 'string' },
            output: { type: 'string', short: 'o', default: 'yaml' },
            'max-steps': { type: 'string' },
          },
          strict: true,
          allowPositionals: false,
        });
        if (!values.filename?.length) throw new UsageError('allocate needs at least one -f PATH');
        if (!values.node) throw new UsageError('allocate needs --node NAME');
        return await runAllocate(
          {
            files: values.filename,
            node: values.node,
            featureGates: values['feature-gates'],
            output: outputFormat(values.output),
            maxSteps: values['max-steps'] === undefined ? undefined : positiveInt('--max-steps', values['max-steps']),
          },
          io,
        );
      }
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.stdout(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (e) {
    if (e instanceof UsageError || (e instanceof TypeError && 'code' in e && String(e.code).startsWith('ERR_PARSE_ARGS'))) {
      io.stderr(`error: ${e.message}\n\n${USAGE}`);
      return 2;
    }
    if (e instanceof InputError || e instanceof FeatureGateError) {
      io.stderr(`error: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

function outputFormat(v: string | undefined): OutputFormat {
  if (v === 'yaml' || v === 'json') return v;
  throw new UsageError(`unsupported output format "${v}" (want yaml or json)`);
}

function positiveInt(flag: string, v: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n <= 0) throw new UsageError(`${flag} wants a positive integer, got "${v}"`);
  return n;
}

// Run when executed as a program (also through the npm bin symlink).
if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`error: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exitCode = 2;
    },
  );
}
