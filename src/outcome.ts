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

// Defined with the other input errors in model/errors.ts (model throws it; outcome depends on
// model, never the other way); re-exported here, where callers of allocate look for it.
export { AllocationError } from './model/errors.js';
