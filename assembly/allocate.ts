// allocateDevice and its rollback (upstream `allocateDevice`): whether one candidate device can
// be taken for one slot right now, and if so take it (in-use marks, capacity, counters,
// constraints, the result entry); `deallocate` undoes it (LIFO). Under upstream accounting
// (counters.ts) neither gives every counter back: a rejection after the counters were taken
// keeps them, and so does the rollback of a share.

import {
  H_DEV_FLAGS, H_SLOT_ADMIN, H_SLOT_STATUS, DEV_ALLOCATED, DEV_MULTI, ST_STATIC_OK, ST_TAINTED,
  RESULT_CONSTRAINT_ALL,
} from './layout';
import { i32At } from './block';
import { State } from './state';
import { capacityFits, takeShare, returnShare, takeCounters, returnCounters, usesCounters } from './counters';
import { addConstraints, removeConstraints, ADD_OK, ADD_FATAL } from './constraints';

export { State } from './state';

export const TRY_NO: i32 = 0;
export const TRY_OK: i32 = 1;
export const TRY_FATAL: i32 = 2;

@inline export function inUse(s: State, d: i32): bool {
  return (i32At(s.region(H_DEV_FLAGS), d) & DEV_ALLOCATED) != 0 || load<i32>(s.allocTotal + (<usize>d << 2)) > 0;
}

@inline export function allocatingForClaim(s: State, d: i32, claim: i32): bool {
  return load<u8>(s.allocByClaim + <usize>d * <usize>s.nClaim + <usize>claim) != 0;
}

/** Tries to take device `d` for `slot` of `claim`. `must`: an All request that cannot do without it. */
export function tryAllocate(s: State, claim: i32, req: i32, slot: i32, d: i32, must: bool): i32 {
  const multi = (i32At(s.region(H_DEV_FLAGS), d) & DEV_MULTI) != 0;
  const admin = i32At(s.region(H_SLOT_ADMIN), slot) != 0;
  if (!multi && admin && allocatingForClaim(s, d, claim)) return TRY_NO;
  if (!admin && inUse(s, d)) return TRY_NO;
  const st = load<u8>(s.region(H_SLOT_STATUS) + <usize>slot * <usize>s.nDev + <usize>d);
  // Upstream looks at the taints only after it took the counters; exact accounting rejects first.
  const taintedLate = !s.exact && (st & ST_TAINTED) != 0;
  if (!(st & ST_STATIC_OK) && !taintedLate) return TRY_NO;
  // Upstream's device loop checks the capacity left before allocateDevice; for an All request
  // only allocateDevice checks it, after the counters and constraints.
  if (!s.exact && multi && !must && !capacityFits(s, slot, d)) return TRY_NO;
  const counters = usesCounters(s, d, multi);
  if (counters && !takeCounters(s, d)) return TRY_NO;
  // From here on a rejection gives the counters back only under exact accounting.
  const giveBack = counters && s.exact;
  if (taintedLate) return TRY_NO;

  // Constraints before shareable capacity, as upstream's allocateDevice: for an All request a
  // constraint violation is then an error even where the capacity would not have fit either.
  const added = addConstraints(s, claim, slot, req, d);
  if (added == ADD_OK && multi && !capacityFits(s, slot, d)) {
    // Upstream keeps the constraint entries too here (All requests only); that is not replicated.
    removeConstraints(s, claim, slot, req);
    if (giveBack) returnCounters(s, d);
    return TRY_NO;
  }
  if (added != ADD_OK) {
    if (giveBack) returnCounters(s, d);
    if (added == ADD_FATAL) return TRY_FATAL;
    if (must) {
      s.fatal = RESULT_CONSTRAINT_ALL;
      s.errSlot = slot;
      s.errDev = d;
      return TRY_FATAL;
    }
    return TRY_NO;
  }

  if (multi) {
    takeShare(s, slot, d);
  } else {
    store<u8>(s.allocByClaim + <usize>d * <usize>s.nClaim + <usize>claim, 1);
    store<i32>(s.allocTotal + (<usize>d << 2), load<i32>(s.allocTotal + (<usize>d << 2)) + 1);
  }
  const pick = s.picks + (<usize>s.nPicks << 3);
  store<i32>(pick, slot);
  store<i32>(pick + 4, d);
  s.nPicks++;
  return TRY_OK;
}

/** Undoes the last successful tryAllocate, which took `d` for `slot` of `claim`. */
export function deallocate(s: State, claim: i32, req: i32, slot: i32, d: i32): void {
  const multi = (i32At(s.region(H_DEV_FLAGS), d) & DEV_MULTI) != 0;
  s.nPicks--;
  removeConstraints(s, claim, slot, req);
  if (multi) {
    returnShare(s, slot, d);
  } else {
    store<u8>(s.allocByClaim + <usize>d * <usize>s.nClaim + <usize>claim, 0);
    store<i32>(s.allocTotal + (<usize>d << 2), load<i32>(s.allocTotal + (<usize>d << 2)) - 1);
  }
  // With the marks undone, usesCounters answers as it did when the device was taken. Upstream's
  // rollback gives counters back for dedicated devices only.
  if ((!multi || s.exact) && usesCounters(s, d, multi)) returnCounters(s, d);
}
