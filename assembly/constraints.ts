// matchAttribute / distinctAttribute (upstream v1.36 allocator), over sets of interned element
// ids: a scalar attribute value is a set of one element, a list value (DRAListTypeAttributes)
// the set of its elements. A device without the attribute fails either; a value the constraint
// cannot use (count -1) fails matchAttribute and is a fatal error for distinctAttribute
// (upstream: "unsupported attribute value").
//
// matchAttribute: the running intersection of all added devices' sets stays non-empty (for
// scalars: all values equal). State: [0] devices added, [1] words used, then one frame per added
// device, [len, ids..., back link] = the intersection after it (remove pops a frame).
//
// distinctAttribute remembers one value per request, as upstream v1.36 does (a map keyed by the
// request's name): a new device must share no element with any remembered value, then it
// replaces the value of its own request; the first device of the constraint is always taken;
// removing a device forgets its request's value (upstream deletes the map entry). So two
// devices of one request with count > 1 may repeat a value that no other request holds.
// State: [0] devices added, then per request index r a run at 2 + r × (MAX_ELEMS + 2):
// [len, ids...], len 0 when absent (a remembered value always has at least one element).

import {
  H_CONS_CLAIM, H_CONS_KIND, H_CONS_VALUES, H_CONS_APPLIES, H_CONS_ELEM_START, H_CONS_ELEMS,
  CONS_MATCH, RESULT_UNSUPPORTED_VALUE, MAX_ELEMS, MAX_RESULTS_PER_CLAIM,
} from './layout';
import { i32At } from './block';
import { State, CONS_STATE_WORDS } from './state';

export const ADD_NO: i32 = 0;
export const ADD_OK: i32 = 1;
export const ADD_FATAL: i32 = 2;

@inline function applies(s: State, k: i32, claim: i32, slot: i32): bool {
  if (i32At(s.region(H_CONS_CLAIM), k) != claim) return false;
  return load<u8>(s.region(H_CONS_APPLIES) + <usize>k * <usize>s.nSlots + <usize>slot) != 0;
}

@inline function stateOf(s: State, k: i32): usize {
  return s.consState + <usize>k * <usize>CONS_STATE_WORDS * 4;
}

/** Adds `d` (for request `req` of the claim, by index) to every constraint of `claim` that covers `slot`; all or nothing. */
export function addConstraints(s: State, claim: i32, slot: i32, req: i32, d: i32): i32 {
  const kinds = s.region(H_CONS_KIND);
  for (let k = 0; k < s.nCons; k++) {
    if (!applies(s, k, claim, slot)) continue;
    const at = k * s.nDev + d;
    const n = i32At(s.region(H_CONS_VALUES), at);
    const elems = s.region(H_CONS_ELEMS) + (<usize>i32At(s.region(H_CONS_ELEM_START), at) << 2);
    let r = ADD_NO;
    if (i32At(kinds, k) == CONS_MATCH) {
      if (n > 0) r = addMatch(stateOf(s, k), elems, n);
    } else if (n < 0) {
      s.fatal = RESULT_UNSUPPORTED_VALUE;
      s.errSlot = slot;
      s.errDev = d;
      s.errCons = k;
      r = ADD_FATAL;
    } else if (n > 0) r = addDistinct(stateOf(s, k), req, elems, n);
    if (r != ADD_OK) {
      for (let e = 0; e < k; e++) if (applies(s, e, claim, slot)) removeOne(s, e, req);
      return r;
    }
  }
  return ADD_OK;
}

/** Whether some constraint of `claim` covers `slot`. */
export function constrained(s: State, claim: i32, slot: i32): bool {
  for (let k = 0; k < s.nCons; k++) if (applies(s, k, claim, slot)) return true;
  return false;
}

export function removeConstraints(s: State, claim: i32, slot: i32, req: i32): void {
  for (let k = 0; k < s.nCons; k++) if (applies(s, k, claim, slot)) removeOne(s, k, req);
}

/**
 * Whether `d` could still join every matchAttribute constraint of `claim` covering `slot` that
 * already holds devices (its set meets the current intersection). Read-only: pruning uses it to
 * count the devices that can still complete a request (grouping by attribute value).
 */
export function matchAllows(s: State, claim: i32, slot: i32, d: i32): bool {
  const kinds = s.region(H_CONS_KIND);
  for (let k = 0; k < s.nCons; k++) {
    if (i32At(kinds, k) != CONS_MATCH || !applies(s, k, claim, slot)) continue;
    const st = stateOf(s, k);
    if (load<i32>(st) == 0) continue;
    const at = k * s.nDev + d;
    const n = i32At(s.region(H_CONS_VALUES), at);
    if (n <= 0) return false;
    const elems = s.region(H_CONS_ELEMS) + (<usize>i32At(s.region(H_CONS_ELEM_START), at) << 2);
    const used = load<i32>(st, 4);
    const top = st + 8 + (<usize>load<i32>(st + 8 + (<usize>(used - 1) << 2)) << 2);
    const len = load<i32>(top);
    let meets = false;
    for (let i = 0; i < len && !meets; i++) {
      const v = load<i32>(top + (<usize>(1 + i) << 2));
      for (let j = 0; j < n; j++) {
        if (load<i32>(elems + (<usize>j << 2)) == v) {
          meets = true;
          break;
        }
      }
    }
    if (!meets) return false;
  }
  return true;
}

/** Start of request `req`'s remembered value in a distinctAttribute state. */
@inline function distinctRun(st: usize, req: i32): usize {
  const r = req < MAX_RESULTS_PER_CLAIM ? req : MAX_RESULTS_PER_CLAIM - 1;
  return st + 8 + (<usize>(r * (MAX_ELEMS + 2)) << 2);
}

/** Intersects the top frame with the device's (sorted) set into a new frame; fails when empty. */
function addMatch(st: usize, elems: usize, n: i32): i32 {
  const added = load<i32>(st);
  const used = load<i32>(st, 4);
  const frame = st + 8 + (<usize>used << 2);
  let len = 0;
  if (added == 0) {
    for (let i = 0; i < n; i++) store<i32>(frame + (<usize>(1 + i) << 2), load<i32>(elems + (<usize>i << 2)));
    len = n;
  } else {
    // The previous frame starts at the last used element run.
    const prev = st + 8 + (<usize>load<i32>(st + 8 + (<usize>(used - 1) << 2)) << 2);
    const plen = load<i32>(prev);
    let i = 0;
    let j = 0;
    while (i < plen && j < n) {
      const a = load<i32>(prev + (<usize>(1 + i) << 2));
      const b = load<i32>(elems + (<usize>j << 2));
      if (a == b) {
        store<i32>(frame + (<usize>(1 + len) << 2), a);
        len++;
        i++;
        j++;
      } else if (a < b) i++;
      else j++;
    }
    if (len == 0) return ADD_NO;
  }
  store<i32>(frame, len);
  // A back link after the frame: where this frame starts (for the next intersection and pop).
  store<i32>(frame + (<usize>(1 + len) << 2), used);
  store<i32>(st, added + 1);
  store<i32>(st, used + len + 2, 4);
  return ADD_OK;
}

/** Takes the device when its set shares no element with any request's remembered value. */
function addDistinct(st: usize, req: i32, elems: usize, n: i32): i32 {
  const added = load<i32>(st);
  if (added > 0) {
    for (let r = 0; r < MAX_RESULTS_PER_CLAIM; r++) {
      const run = distinctRun(st, r);
      const len = load<i32>(run);
      for (let i = 0; i < len; i++) {
        const v = load<i32>(run + (<usize>(1 + i) << 2));
        for (let j = 0; j < n; j++) if (load<i32>(elems + (<usize>j << 2)) == v) return ADD_NO;
      }
    }
  }
  const own = distinctRun(st, req);
  store<i32>(own, n);
  for (let j = 0; j < n; j++) store<i32>(own + (<usize>(1 + j) << 2), load<i32>(elems + (<usize>j << 2)));
  store<i32>(st, added + 1);
  return ADD_OK;
}

/** Undoes one add: match pops its last frame, distinct forgets the request's value. */
function removeOne(s: State, k: i32, req: i32): void {
  const st = stateOf(s, k);
  store<i32>(st, load<i32>(st) - 1);
  if (i32At(s.region(H_CONS_KIND), k) == CONS_MATCH) {
    const used = load<i32>(st, 4);
    store<i32>(st, load<i32>(st + 8 + (<usize>(used - 1) << 2)), 4);
  } else {
    store<i32>(distinctRun(st, req), 0);
  }
}
