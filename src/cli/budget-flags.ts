/** The allocation budget flags shared by every command that allocates (see src/budget.ts). */

import { DEFAULT_FILTER_TIMEOUT_MS, formatDuration, MAX_STEPS_LIMIT, parseDuration, type Budget } from '../budget.js';
import { UsageError } from './command.js';

export const BUDGET_FLAGS = {
  'filter-timeout': { type: 'string' },
  'max-steps': { type: 'string' },
} as const;

export const BUDGET_USAGE = `  --filter-timeout D   time limit of one allocation on one node, a Go duration (500ms, 10s,
                       1m30s; default ${formatDuration(DEFAULT_FILTER_TIMEOUT_MS)}, 0 = none), as kube-scheduler's DRA Filter
                       timeout: a node whose search runs out cannot take the claims ("timed out
                       trying to allocate devices after 10s (filter timeout)")
  --max-steps N        also stop a search after N steps (upstream's allocateOne calls) with an
                       error; 0 = no step limit (the default), N at most 2^53-1`;

/** The budget the flags ask for (defaults filled in). */
export function budgetFlags(values: { 'filter-timeout'?: string; 'max-steps'?: string }): Budget {
  return { filterTimeoutMs: filterTimeout(values['filter-timeout']), maxSteps: maxSteps(values['max-steps']) };
}

function filterTimeout(v: string | undefined): number {
  if (v === undefined) return DEFAULT_FILTER_TIMEOUT_MS;
  const ms = parseDuration(v);
  if (ms === undefined) throw new UsageError(`--filter-timeout wants a duration ≥ 0 such as 500ms, 10s or 1m (0 = no limit), got "${v}"`);
  return ms;
}

function maxSteps(v: string | undefined): number {
  if (v === undefined) return 0;
  const n = Number(v);
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(n)) throw new UsageError(`--max-steps wants an integer from 0 (no limit) to ${MAX_STEPS_LIMIT}, got "${v}"`);
  return n;
}
