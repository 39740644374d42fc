/**
 * What the solver reads of a compiled problem: integer arrays and a few counts. The host's
 * compiler (src/compile/problem.ts) produces a Problem that extends this with the objects it
 * keeps for decoding (node view, claims, plan); the WASM side only needs the shapes below, so
 * it does not depend on the compiler.
 */

export interface SolverInput {
  /** D devices. */
  view: { slots: { length: number } };
  /** C claims. */
  claims: { length: number };
  plan: {
    /** R requests: whether each has subrequests. */
    requests: readonly { hasSubs: boolean }[];
    /** S slots (a request, or one subrequest of it). */
    slots: readonly { mode: string; numDevices: number; adminAccess: boolean }[];
  };
  /** Request index → index of its first slot; length R+1. */
  reqSlotStart: Int32Array;
  /** Claim index → first request index; length C+1. */
  claimReqStart: Int32Array;
  /** S × D status bits. */
  status: Uint8Array;
  devFlags: Int32Array;
  devCntStart: Int32Array;
  cntIdx: Int32Array;
  cntAmt: BigInt64Array;
  counterAvail: BigInt64Array;
  devPoolCnt: [Int32Array, Int32Array];
  capAvail: BigInt64Array;
  capuseStart: Int32Array;
  capuseIdx: Int32Array;
  capuseAmt: BigInt64Array;
  /** Constraints; `values` per (k, device): element count, 0 absent, -1 unusable; elements in `elems`. */
  cons: { claim: Int32Array; kind: Int32Array; values: Int32Array; elemStart: Int32Array; elems: Int32Array; applies: Uint8Array };
  allStart: Int32Array;
  allList: Int32Array;
  maxDepth: number;
  maxPicks: number;
}
