// The solver's mutable state for one solve, kept in the block's work region.
//
// Work region sub-layout (bytes, in this order; workBytes() is the one formula both sides use):
//   allocTotal     i32 × D        devices being allocated by this solve, any claim (dedicated only)
//   allocByClaim   u8  × D × C    1 when the device is being allocated for that claim
//   shares         i32 × D        shares of a multi-allocatable device taken by this solve
//   held           i32 × D        1 while upstream's allocatingCapacity has an entry for the device (counters.ts)
//   nzShares       i32 × D        shares taken by this solve that consume a non-zero amount of some capacity
//   consState      i32 × K × CONS_STATE_WORDS   per constraint, see constraints.ts
//   claimPicks     i32 × (C+1)    index of each claim's first result in the picks
//   frames         i32 × FRAME_WORDS × maxDepth

import {
  H_NDEV, H_NCLAIM, H_NCONS, H_NSLOT, H_WORK, H_OUT_PICKS, H_ACCOUNTING, ACCOUNTING_EXACT, RESULT_UNSAT,
  MAX_RESULTS_PER_CLAIM, MAX_ELEMS,
} from './layout';

/**
 * Per-constraint state: two words (devices added, elements used) and room for one element set
 * per device that can be added (a claim has at most MAX_RESULTS_PER_CLAIM results), plus one,
 * each run being [length, elements..., back link].
 */
export const CONS_STATE_WORDS: i32 = 2 + (MAX_RESULTS_PER_CLAIM + 1) * (MAX_ELEMS + 2);
export const FRAME_WORDS: i32 = 10;

@inline function align8(n: usize): usize {
  return (n + 7) & ~(<usize>7);
}

export function workBytes(nDev: i32, nClaim: i32, nCons: i32, maxDepth: i32): usize {
  const d = <usize>nDev;
  const c = <usize>nClaim;
  const k = <usize>nCons;
  return align8(d * 4) + align8(d * c) + 3 * align8(d * 4) + align8(k * <usize>CONS_STATE_WORDS * 4) +
    align8((c + 1) * 4) + <usize>FRAME_WORDS * 4 * <usize>maxDepth;
}

/**
 * Lives at a fixed static address (unmanaged: the stub runtime never allocates during a solve,
 * so nothing leaks and the problem block can start at the heap base).
 */
@unmanaged
export class State {
  base: usize;
  allocTotal: usize;
  allocByClaim: usize;
  shares: usize;
  held: usize;
  nzShares: usize;
  consState: usize;
  claimPicks: usize;
  frames: usize;
  picks: usize;
  nDev: i32;
  nClaim: i32;
  nCons: i32;
  nSlots: i32;
  nPicks: i32;
  // Frames on the stack of a paused search (0 once it finished).
  depth: i32;
  /** ACCOUNTING_EXACT in the header: counters are given back on every rejection and backtrack. */
  exact: bool;
  // The return value of the frame that returned last.
  retOk: bool;
  retErr: i32;
  // Why the search stopped with a fatal error, and where.
  fatal: i32;
  errSlot: i32;
  errDev: i32;
  errCons: i32;

  /** Header word `h` of the block. */
  @inline hdr(h: i32): i32 {
    return load<i32>(this.base + (<usize>h << 2));
  }
  /** Absolute address of the region whose offset is in header word `h`. */
  @inline region(h: i32): usize {
    return this.base + <usize>load<i32>(this.base + (<usize>h << 2));
  }

  /** Points the state at the block at `base` and zeroes the work region (frames excepted). */
  init(base: usize): void {
    this.base = base;
    this.nDev = this.hdr(H_NDEV);
    this.nClaim = this.hdr(H_NCLAIM);
    this.nCons = this.hdr(H_NCONS);
    this.nSlots = this.hdr(H_NSLOT);
    this.nPicks = 0;
    this.depth = 0;
    this.exact = this.hdr(H_ACCOUNTING) == ACCOUNTING_EXACT;
    this.retOk = false;
    this.retErr = 0;
    this.fatal = RESULT_UNSAT;
    this.errSlot = -1;
    this.errDev = -1;
    this.errCons = -1;
    const d = <usize>this.nDev;
    const c = <usize>this.nClaim;
    const k = <usize>this.nCons;
    let p = this.region(H_WORK);
    this.allocTotal = p; p += align8(d * 4);
    this.allocByClaim = p; p += align8(d * c);
    this.shares = p; p += align8(d * 4);
    this.held = p; p += align8(d * 4);
    this.nzShares = p; p += align8(d * 4);
    this.consState = p; p += align8(k * <usize>CONS_STATE_WORDS * 4);
    this.claimPicks = p; p += align8((c + 1) * 4);
    this.frames = p;
    this.picks = this.region(H_OUT_PICKS);
    memory.fill(this.allocTotal, 0, this.frames - this.allocTotal);
  }

  @inline claimPickStart(claim: i32): i32 {
    return load<i32>(this.claimPicks + (<usize>claim << 2));
  }
  @inline setClaimPickStart(claim: i32, v: i32): void {
    store<i32>(this.claimPicks + (<usize>claim << 2), v);
  }
}

/** The one State, in static memory. */
export const STATE = changetype<State>(memory.data(offsetof<State>()));
