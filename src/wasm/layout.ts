/**
 * The solver's ABI, host side: the TypeScript definition of what assembly/layout.ts defines for
 * the WASM core — header word numbers, device and status flag bits, slot modes, constraint
 * kinds, counter accountings, output words, result codes, limits and the frame-depth rule.
 * Every number the host writes into or reads from a problem block comes from here.
 * test/unit/layout.test.ts reads assembly/layout.ts and fails unless both define the same
 * constants with the same values (`H_NDEV` there is `H.NDEV` here, `ACCOUNTING_EXACT` is
 * `ACCOUNTING.exact`).
 */

/** Header words (i32): a count, or the byte offset of a region from the block start. */
export const H = {
  NDEV: 0,
  NCLAIM: 1,
  NREQ: 2,
  NSLOT: 3,
  NCOUNTER: 4,
  NCAP: 5,
  NCONS: 6,
  /** Unused (the step budget's word before the host checked budgets between slices). */
  RESERVED: 7,
  DEV_FLAGS: 8,
  DEV_CNT_START: 9,
  CNT_IDX: 10,
  CNT_AMT: 11,
  COUNTER_AVAIL: 12,
  CAP_AVAIL: 13,
  CLAIM_REQ_START: 14,
  REQ_SLOT_START: 15,
  REQ_HAS_SUBS: 16,
  SLOT_MODE: 17,
  SLOT_NUM: 18,
  SLOT_ADMIN: 19,
  SLOT_STATUS: 20,
  SLOT_ALL_START: 21,
  ALL_LIST: 22,
  SLOT_CAPUSE_START: 23,
  CAPUSE_IDX: 24,
  CAPUSE_AMT: 25,
  CONS_CLAIM: 26,
  CONS_KIND: 27,
  CONS_VALUES: 28,
  CONS_APPLIES: 29,
  DEV_POOL_CNT_START: 30,
  DEV_POOL_CNT_END: 31,
  WORK: 32,
  WORK_BYTES: 33,
  OUT_SELSUB: 34,
  OUT_PICKS: 35,
  OUT: 36,
  MAX_DEPTH: 37,
  MAX_PICKS: 38,
  CONS_ELEM_START: 39,
  CONS_ELEMS: 40,
  ACCOUNTING: 41,
} as const;
export const HEADER_WORDS = 42;

/** Elements of one attribute value at most (upstream ResourceSliceMaxAttributeValuesPerDevice). */
export const MAX_ELEMS = 48;
/** Devices per claim at most (upstream AllocationResultsMaxSize). */
export const MAX_RESULTS_PER_CLAIM = 32;

/** Region DEV_FLAGS: per device, from the allocated state. */
export const DEV = {
  /** Held by another claim (compile/eligibility.ts heldByOthers). */
  ALLOCATED: 1,
  /** allowMultipleAllocations, with DRAConsumableCapacity on. */
  MULTI: 2,
  /** Has shares in the allocated state. */
  SHARED_BEFORE: 4,
  /** A share in the allocated state reported consumedCapacity (upstream AggregatedCapacity). */
  AGGREGATED_BEFORE: 8,
} as const;

/** Region SLOT_STATUS: per (slot, device), compileProblem's pairStatus. */
export const ST = {
  /** Binding gate, class and request selectors and node selection pass. */
  SELECTABLE: 1,
  /** Evaluating the selectors fails: the search stops with that error when it gets there. */
  ERROR: 2,
  /** Also the partitionable gate, the capacity policy and the taints permit. */
  STATIC_OK: 4,
  /** Everything but an untolerated taint permits. */
  TAINTED: 8,
} as const;

/** Region SLOT_MODE. */
export const MODE = { EXACT: 0, ALL: 1 } as const;
/** Region CONS_KIND. */
export const CONS = { MATCH: 0, DISTINCT: 1 } as const;

/** Header word ACCOUNTING: how the search accounts shared counters (assembly/counters.ts). */
export const ACCOUNTING = { upstream: 0, exact: 1 } as const;
export type CounterAccounting = keyof typeof ACCOUNTING;
export const isCounterAccounting = (v: unknown): v is CounterAccounting => typeof v === 'string' && Object.hasOwn(ACCOUNTING, v);

/** Output words (region OUT). */
export const OUT = { STATUS: 0, NPICKS: 1, STEPS: 2, ERR_SLOT: 3, ERR_DEV: 4, ERR_CONS: 5 } as const;
export const OUT_WORDS = 8;

/** Output word STATUS. */
export const RESULT = {
  UNSAT: 0,
  OK: 1,
  MAXSIZE: 2,
  CEL_ERROR: 3,
  CONSTRAINT_ALL: 4,
  UNSUPPORTED_VALUE: 5,
  DEPTH: 7,
  /** `run` used up its slice; the search goes on with the next call. */
  PAUSED: 8,
} as const;

/** The frame-depth rule's terms (assembly/layout.ts explains them). */
export const FRAMES = { BASE: 2, PER_CLAIM: 1, PER_REQUEST: 3 } as const;

/**
 * Header word MAX_DEPTH: the frames a search of these claims can need at most. `picks[c][r]`:
 * the most devices any slot of request r of claim c needs.
 */
export function searchDepth(picks: readonly (readonly number[])[]): number {
  let depth = FRAMES.BASE;
  for (const claim of picks) {
    depth += FRAMES.PER_CLAIM;
    for (const n of claim) depth += FRAMES.PER_REQUEST + Math.min(MAX_RESULTS_PER_CLAIM, n);
  }
  return depth;
}

/**
 * The placement kernel's run descriptor words (assembly/layout.ts R_* explains each): counts,
 * the rotating start, the output, and the absolute addresses of the resident regions.
 */
export const R = {
  NNODES: 0,
  START: 1,
  WANTED: 2,
  NPODS: 3,
  DONE: 4,
  STOP: 5,
  SLICE: 6,
  PODS: 7,
  OUT: 8,
  REC_STRIDE: 9,
  FLAGS: 10,
  AVAIL: 11,
  NODE_SLOTS: 12,
  SLOTS: 13,
  NODE_CNT: 14,
  CNT_MAP: 15,
  USE_START: 16,
  USE_CNT: 17,
  USE_AMT: 18,
  HELD_MASK: 19,
  ACCOUNTING: 20,
  STEPS: 21,
  STRATEGY: 22,
  SHAPES: 23,
  NSHAPES: 24,
  NODE_LOCAL: 25,
  VISITS: 26,
  CAP_START: 27,
  CAP_LEFT: 28,
  RANKED: 29,
} as const;
export const RUN_WORDS = 30;

/** Word R.STRATEGY: the node order. */
export const STRATEGY = { UPSTREAM: 0, PACK: 1 } as const;

/** Upstream's bound on firstAvailable subrequests: a request on its first choice scores this much (the DRA score). */
export const FIRST_AVAILABLE_MAX = 8;

/** Resident allocated-state flags: model/allocated.ts FLAG_DEDICATED, FLAG_SHARED and FLAG_AGGREGATED. */
export const RF = { DEDICATED: 1, SHARED: 2, AGGREGATED: 4 } as const;

/** Why the kernel stopped (word R.STOP). */
export const STOP = { END: 0, UNPLACED: 1, HOST: 2, PAUSED: 3 } as const;

/**
 * A shape table: SH.MAX_SCORE, pack's keys, order and positions (addresses), the blocks whatever
 * the node checks say (address), the summary verdicts (address), then per node at SH.BLOCKS + n a block address, SH.REJECTED or SH.HOST.
 */
export const SH = { MAX_SCORE: 0, KEYS: 1, ORDER: 2, POS: 3, ALL_BLOCKS: 4, ADMIT: 5, BLOCKS: 6, REJECTED: -1, HOST: 0 } as const;

/** A shape table's summary verdict per node (SH.ADMIT). */
export const ADMIT = { UNKNOWN: 0, NO: 1, YES: 2 } as const;

/** An output record's words; the chosen subrequests and the picks follow them. */
export const REC = { NODE: 0, EXAMINED: 1, SEARCHES: 2, NREQ: 3, NPICKS: 4, REJECTED: 5 } as const;
export const REC_WORDS = 6;
