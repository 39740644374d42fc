// The solver's exports. The host (src/wasm/instance.ts loads the module, src/wasm/run.ts writes
// the problem blocks and calls these) shares the memory contract of layout.ts; nothing here knows
// Kubernetes.

import { start as startSearch, run as runSearch } from './search';
import { workBytes as work } from './state';
import { placeRun as place } from './placement';

/**
 * Makes sure `bytes` bytes are usable from the heap base on and returns that base address.
 * Called once per solve before the host writes a problem block; may grow memory (the host must
 * then re-create its views).
 */
export function ensure(bytes: i32): usize {
  const base = (__heap_base + 15) & ~(<usize>15);
  const need = base + <usize>bytes;
  const have = <usize>memory.size() << 16;
  if (need > have) {
    // Grow at least by half of what there is, so that a growing arena is not copied per block.
    const wanted = <i32>((need - have + 0xffff) >> 16);
    const half = memory.size() >> 1;
    if (memory.grow(wanted > half ? wanted : half) < 0 && memory.grow(wanted) < 0) return 0;
  }
  return base;
}

/** Size of the work region for a problem of this shape (the host reserves it in the block). */
export function workBytes(nDev: i32, nClaim: i32, nCons: i32, maxDepth: i32): i32 {
  return <i32>work(nDev, nClaim, nCons, maxDepth);
}

/** Starts solving the problem block at `base` (once per Allocate); `run` does the work. */
export function start(base: usize): void {
  startSearch(base);
}

/**
 * Goes on with the search `start` began, for at most `slice` steps: RESULT_PAUSED when there is
 * more to do, else the final RESULT_* status (also in the output words). One search at a time:
 * starting another abandons a paused one.
 */
export function run(slice: u32): i32 {
  return runSearch(slice);
}

/**
 * Places the Pods of the run described at `run` (layout.ts R_*) over the resident state, until
 * one needs the host; the outcome is in the descriptor's out words and the output records.
 */
export function placeRun(run: usize): void {
  place(run);
}
