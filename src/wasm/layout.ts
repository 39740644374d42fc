/**
 * Host mirror of assembly/layout.ts: header word numbers, flag bits and result codes.
 * The two files must change together (test/unit/layout.test.ts compares them).
 */

export const H = {
  NDEV: 0,
  NCLAIM: 1,
  NREQ: 2,
  NSLOT: 3,
  NCOUNTER: 4,
  NCAP: 5,
  NCONS: 6,
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

/** Header word ACCOUNTING: how the search accounts shared counters (assembly/counters.ts). */
export const ACCOUNTING = { upstream: 0, exact: 1 } as const;
export type CounterAccounting = keyof typeof ACCOUNTING;
export const isCounterAccounting = (v: unknown): v is CounterAccounting => typeof v === 'string' && Object.hasOwn(ACCOUNTING, v);

export const OUT = { STATUS: 0, NPICKS: 1, STEPS: 2, ERR_SLOT: 3, ERR_DEV: 4, ERR_CONS: 5 } as const;
export const OUT_WORDS = 8;

export const RESULT = {
  UNSAT: 0,
  OK: 1,
  MAXSIZE: 2,
  CEL_ERROR: 3,
  CONSTRAINT_ALL: 4,
  UNSUPPORTED_VALUE: 5,
  /** The host's: the step budget ran out between two slices. */
  STEP_BUDGET: 6,
  DEPTH: 7,
  /** `run` used up its slice; the search goes on with the next call. */
  PAUSED: 8,
  /** The host's: the time budget (filter timeout) ran out between two slices. */
  TIMEOUT: 9,
} as const;
