/** The shape of a CLI command, and the errors and helpers every command shares. */

import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { CliIO } from './io.js';
import type { OutputFormat } from './format.js';
import { isCounterAccounting, type CounterAccounting } from '../wasm/layout.js';

export interface Command {
  name: string;
  /** Full usage text: synopsis, flags, exit codes. */
  usage: string;
  /** Runs with the arguments after the command name; returns the exit code. */
  run(argv: string[], io: CliIO): Promise<number>;
}

/** Wrong flags or arguments: printed with the command's usage, exit code 2. */
export class UsageError extends Error {}

/** node:util parseArgs with dralloc's conventions: strict, no positionals unless asked. */
type Options = NonNullable<ParseArgsConfig['options']>;
export type ParsedFlags<T extends Options> = ReturnType<typeof parseArgs<{ options: T; strict: true; allowPositionals: true }>>;

export function parseFlags<T extends Options>(argv: string[], options: T, allowPositionals = false): ParsedFlags<T> {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals }) as ParsedFlags<T>;
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

export function outputFormat<F extends string = OutputFormat>(v: string | undefined, allowed: readonly F[] = ['yaml', 'json'] as unknown as F[]): F {
  if (v !== undefined && (allowed as readonly string[]).includes(v)) return v as F;
  throw new UsageError(`unsupported output format "${v}" (want ${allowed.join(' or ')})`);
}

export function positiveInt(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n <= 0) throw new UsageError(`${flag} wants a positive integer, got "${v}"`);
  return n;
}

export function required<T>(v: T | undefined, what: string): T {
  if (v === undefined || (Array.isArray(v) && v.length === 0)) throw new UsageError(`missing ${what}`);
  return v;
}

/** Usage line and help text of `--counter-accounting`, shared by every command that allocates. */
export const COUNTER_ACCOUNTING_FLAG = '--counter-accounting upstream|exact';
export const COUNTER_ACCOUNTING_HELP = `  --counter-accounting upstream|exact
                 how shared counters are accounted during the search. upstream (default):
                 as kube-scheduler v1.36 — counters stay taken when a taint or constraint
                 rejects a device after they were taken, and when the search backtracks
                 over a share of a multi-allocatable device, so some claims that would fit
                 are unsatisfiable, exactly as in kube-scheduler. exact: always given back.`;

/** The value of `--counter-accounting` (default upstream). */
export function counterAccounting(v: string | undefined): CounterAccounting {
  if (v === undefined) return 'upstream';
  if (isCounterAccounting(v)) return v;
  throw new UsageError(`--counter-accounting wants upstream or exact, got "${v}"`);
}
