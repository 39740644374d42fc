/**
 * What one allocation attempt ends in. Never a partial allocation: either every claim got an
 * AllocationResult, or none did.
 */

import type { AllocationResult } from './model/types.js';

export interface SearchStats {
  /** Upstream's `numAllocateOneInvocations`: frames the depth-first search entered. */
  steps: number;
}

export type Outcome =
  | { kind: 'allocated'; results: AllocationResult[]; stats: SearchStats }
  | { kind: 'unsatisfiable'; reason: string; stats: SearchStats }
  | { kind: 'error'; message: string; stats?: SearchStats };

/**
 * An error of the allocation itself (bad claim, unknown class, CEL error, invalid pool...):
 * the message is upstream's text where upstream has one.
 */
export class AllocationError extends Error {}
