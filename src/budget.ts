/**
 * The budget of one allocation (one set of claims on one node): a time limit like
 * kube-scheduler's DRA Filter timeout (`DynamicResourcesArgs.filterTimeout`, 10 s by default,
 * per node) and a step limit (upstream's allocateOne invocations). The search runs in slices
 * and the host checks both between slices, so no input makes an allocation run unbounded.
 * Durations are given as Go durations (`10s`, `500ms`, `1m30s`) as in kube-scheduler's config.
 */

/** kube-scheduler's default DRA Filter timeout. */
export const DEFAULT_FILTER_TIMEOUT_MS = 10_000;

/** Steps are counted by the host in a JS number (the WASM core counts one slice at a time): exact up to 2^53 − 1. */
export const MAX_STEPS_LIMIT = Number.MAX_SAFE_INTEGER;

export interface Budget {
  /** Time limit in milliseconds; 0 = none. */
  filterTimeoutMs: number;
  /** Step limit; 0 = none. */
  maxSteps: number;
}

/** Why a budget value is unusable (the message names the option). */
export class BudgetError extends RangeError {
  override name = 'BudgetError';
}

/** Checks budget values given to the library API; returns them. */
export function checkBudget(b: Budget, where: string): Budget {
  if (!Number.isSafeInteger(b.maxSteps) || b.maxSteps < 0) {
    throw new BudgetError(`${where}: maxSteps must be an integer from 0 (no limit) to ${MAX_STEPS_LIMIT}, got ${b.maxSteps}`);
  }
  if (!Number.isFinite(b.filterTimeoutMs) || b.filterTimeoutMs < 0) {
    throw new BudgetError(`${where}: filterTimeoutMs must be a finite number of milliseconds ≥ 0 (0 = no limit), got ${b.filterTimeoutMs}`);
  }
  return b;
}

const UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * A Go duration (time.ParseDuration: a sequence of decimal numbers with units ns, us, ms, s, m,
 * h, such as `10s`, `1.5s`, `1m30s`; `0` alone) in milliseconds; undefined when it is not one
 * or is negative (a budget cannot be).
 */
export function parseDuration(text: string): number | undefined {
  if (text === '0') return 0;
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;
  let ms = 0;
  let at = 0;
  if (text.length === 0) return undefined;
  while (at < text.length) {
    re.lastIndex = at;
    const m = re.exec(text);
    if (!m) return undefined;
    ms += Number(m[1]) * UNITS[m[2]];
    at = re.lastIndex;
  }
  return Number.isFinite(ms) ? ms : undefined;
}

/** Milliseconds as Go prints a Duration: `500ms`, `10s`, `1.5s`, `1m30s`, `2h0m0s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${+ms.toFixed(3)}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = +((ms % 60_000) / 1000).toFixed(3);
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}
