// The depth-first search of upstream's allocator (structured/internal/*/allocator_*.go,
// `allocateOne`), as a loop over an explicit frame stack instead of recursion — resumable: the
// host runs it in slices of steps and checks its time and step budgets in between.
//
// Every frame is one allocateOne invocation. A frame either returns at once, or "calls" a
// child frame and is resumed with the child's (ok, err) — exactly the control flow of the
// recursive original, so that the first solution found, the errors raised and the step count
// are upstream's. Err values: ERR_NONE, ERR_MAXSIZE (errAllocationResultMaxSizeExceeded, swallowed
// at claim boundaries and by subrequest loops), ERR_FATAL (stops the whole search; the reason is
// in the output words).

import {
  H_NDEV, H_NCLAIM, H_CLAIM_REQ_START, H_REQ_SLOT_START,
  H_REQ_HAS_SUBS, H_SLOT_MODE, H_SLOT_NUM, H_SLOT_ADMIN, H_SLOT_STATUS, H_SLOT_ALL_START,
  H_ALL_LIST, H_OUT_SELSUB, H_OUT, H_MAX_DEPTH, H_NREQ,
  H_DEV_FLAGS, ST_SELECTABLE, ST_ERROR, ST_STATIC_OK, ST_TAINTED, DEV_MULTI, MODE_ALL,
  OUT_STATUS, OUT_NPICKS, OUT_STEPS, OUT_ERR_SLOT, OUT_ERR_DEV, OUT_ERR_CONS, OUT_WORDS,
  RESULT_UNSAT, RESULT_OK, RESULT_MAXSIZE, RESULT_CEL_ERROR, RESULT_DEPTH, RESULT_PAUSED,
  MAX_RESULTS_PER_CLAIM,
} from './layout';
import { i32At, setI32 } from './block';
import { tryAllocate, deallocate, inUse, allocatingForClaim, TRY_OK, TRY_FATAL } from './allocate';
import { matchAllows, constrained } from './constraints';
import { hasCounters } from './counters';
import { State, STATE, FRAME_WORDS } from './state';

const ERR_NONE: i32 = 0;
const ERR_MAXSIZE: i32 = 1;
const ERR_FATAL: i32 = 2;

// Frame words.
const F_KIND: i32 = 0;
const F_CLAIM: i32 = 1;
const F_REQ: i32 = 2;
const F_SUB: i32 = 3;
const F_DEV: i32 = 4;
const F_INSUB: i32 = 5;
const F_POS: i32 = 6; // device loop cursor, or subrequest index
const F_FLAG: i32 = 7; // subrequest loop: all attempts exceeded the result limit so far
const F_SLOT: i32 = 8;
const F_START: i32 = 9;

// What a frame is waiting for when it called a child.
const K_CLAIM_END: i32 = 1;
const K_SUBLOOP: i32 = 2;
const K_REQ_END: i32 = 3;
const K_ALLDEV: i32 = 4;
const K_DEVLOOP: i32 = 5;

/**
 * Starts a search on the problem block at `base`: zeroes the outputs, pushes the root frame.
 * `run` then does the work, in slices.
 */
export function start(base: usize): void {
  const s = STATE;
  s.init(base);
  const out = s.region(H_OUT);
  for (let i = 0; i < OUT_WORDS; i++) store<i32>(out + (<usize>i << 2), 0);
  const nReq = s.hdr(H_NREQ);
  for (let r = 0; r < nReq; r++) setI32(s.region(H_OUT_SELSUB), r, -1);
  push(s, 0, 0, 0, 0, 0, 0, 0);
  s.depth = 1;
}

/**
 * Continues the search that `start` began for at most `slice` (> 0) more steps (frames entered).
 * Returns RESULT_PAUSED when the slice ran out first — the frame stack and the allocation state
 * stay as they are, and the next `run` picks up exactly there, so a search run in slices takes
 * the same steps and finds the same answer as one run at once. Otherwise writes the output
 * words and returns the final status. OUT_STEPS holds the steps of this call only (the host
 * sums them: budgets and counts beyond 32 bits are the host's business).
 */
export function run(slice: u32): i32 {
  const s = STATE;
  const out = s.region(H_OUT);
  const maxDepth = s.hdr(H_MAX_DEPTH);
  let steps: u32 = 0;
  let depth = s.depth;
  // Result of the frame that returned last, delivered to its parent.
  let retOk = false;
  let retErr = ERR_NONE;
  // A paused search always stopped before entering a frame, never while returning into one.
  let resuming = false;

  while (depth > 0) {
    const f = s.frames + <usize>((depth - 1) * FRAME_WORDS) * 4;
    let action: i32; // 0 = returned (retOk/retErr set), 1 = called a child
    if (!resuming) {
      if (steps == slice) {
        s.depth = depth;
        store<i32>(out + (<usize>OUT_STEPS << 2), <i32>steps);
        return RESULT_PAUSED;
      }
      steps++;
      action = enter(s, f);
    } else {
      action = resume(s, f, retOk, retErr);
    }
    if (action == 1) {
      if (depth >= maxDepth) {
        s.fatal = RESULT_DEPTH;
        retOk = false;
        retErr = ERR_FATAL;
        break;
      }
      // The child's words were written just past this frame by enter/resume.
      depth++;
      resuming = false;
      continue;
    }
    retOk = s.retOk;
    retErr = s.retErr;
    depth--;
    resuming = true;
  }
  s.depth = 0;

  let status: i32;
  if (retErr == ERR_FATAL) status = s.fatal;
  else if (retErr == ERR_MAXSIZE) status = RESULT_MAXSIZE;
  else status = retOk ? RESULT_OK : RESULT_UNSAT;
  store<i32>(out + (<usize>OUT_STATUS << 2), status);
  store<i32>(out + (<usize>OUT_STEPS << 2), <i32>steps);
  store<i32>(out + (<usize>OUT_NPICKS << 2), s.nPicks);
  store<i32>(out + (<usize>OUT_ERR_SLOT << 2), s.errSlot);
  store<i32>(out + (<usize>OUT_ERR_DEV << 2), s.errDev);
  store<i32>(out + (<usize>OUT_ERR_CONS << 2), s.errCons);
  return status;
}

/** Writes a child frame just past the top one (the caller increments the depth). */
function push(s: State, at: i32, claim: i32, req: i32, sub: i32, dev: i32, inSub: i32, start: i32): void {
  const c = s.frames + <usize>(at * FRAME_WORDS) * 4;
  store<i32>(c + (<usize>F_KIND << 2), 0);
  store<i32>(c + (<usize>F_CLAIM << 2), claim);
  store<i32>(c + (<usize>F_REQ << 2), req);
  store<i32>(c + (<usize>F_SUB << 2), sub);
  store<i32>(c + (<usize>F_DEV << 2), dev);
  store<i32>(c + (<usize>F_INSUB << 2), inSub);
  store<i32>(c + (<usize>F_START << 2), start);
}

@inline function fw(f: usize, w: i32): i32 { return load<i32>(f + (<usize>w << 2)); }
@inline function setFw(f: usize, w: i32, v: i32): void { store<i32>(f + (<usize>w << 2), v); }
/** Index of the frame `f` in the stack. */
@inline function frameIndex(s: State, f: usize): i32 { return <i32>((f - s.frames) / (<usize>FRAME_WORDS * 4)); }

/** Return from the current frame. */
@inline function ret(s: State, ok: bool, err: i32): i32 {
  s.retOk = ok;
  s.retErr = err;
  return 0;
}

/** Call a child frame. */
@inline function call(s: State, f: usize, kind: i32, claim: i32, req: i32, sub: i32, dev: i32, inSub: i32, start: i32): i32 {
  setFw(f, F_KIND, kind);
  push(s, frameIndex(s, f) + 1, claim, req, sub, dev, inSub, start);
  return 1;
}

function enter(s: State, f: usize): i32 {
  const claim = fw(f, F_CLAIM);
  if (claim >= s.hdr(H_NCLAIM)) return ret(s, true, ERR_NONE);
  const req = fw(f, F_REQ);
  const reqStart = i32At(s.region(H_CLAIM_REQ_START), claim);
  const nReq = i32At(s.region(H_CLAIM_REQ_START), claim + 1) - reqStart;
  if (req >= nReq) {
    // Done with the claim: the next one starts with its results counted from here.
    s.setClaimPickStart(claim + 1, s.nPicks);
    return call(s, f, K_CLAIM_END, claim + 1, 0, 0, 0, 0, 0);
  }
  const gr = reqStart + req;
  const hasSubs = i32At(s.region(H_REQ_HAS_SUBS), gr) != 0;
  if (hasSubs && fw(f, F_INSUB) == 0) {
    setFw(f, F_POS, 0);
    setFw(f, F_FLAG, 1);
    return call(s, f, K_SUBLOOP, claim, req, 0, fw(f, F_DEV), 1, fw(f, F_START));
  }
  const slot = i32At(s.region(H_REQ_SLOT_START), gr) + (hasSubs ? fw(f, F_SUB) : 0);
  setFw(f, F_SLOT, slot);
  const isAll = i32At(s.region(H_SLOT_MODE), slot) == MODE_ALL;
  const allStart = i32At(s.region(H_SLOT_ALL_START), slot);
  if (isAll && i32At(s.region(H_SLOT_ALL_START), slot + 1) == allStart) return ret(s, false, ERR_NONE);
  const num = i32At(s.region(H_SLOT_NUM), slot);
  const dev = fw(f, F_DEV);
  if (dev >= num) return call(s, f, K_REQ_END, claim, req + 1, 0, 0, 0, 0);
  if (s.nPicks - s.claimPickStart(claim) + num - dev > MAX_RESULTS_PER_CLAIM) return ret(s, false, ERR_MAXSIZE);

  if (isAll) {
    const d = i32At(s.region(H_ALL_LIST), allStart + dev);
    const r = tryAllocate(s, claim, req, slot, d, true);
    if (r == TRY_FATAL) return ret(s, false, ERR_FATAL);
    if (r != TRY_OK) return ret(s, false, ERR_NONE);
    setFw(f, F_POS, d);
    return call(s, f, K_ALLDEV, claim, req, fw(f, F_SUB), dev + 1, fw(f, F_INSUB), 0);
  }
  // Pruning by counts: when fewer devices than still needed are left that the loop below could
  // take (selectable, free for this request, and sharing a value with what the claim's
  // matchAttribute constraints already hold), no choice in this subtree completes the request,
  // and upstream's search would come back empty-handed too — unless the loop would meet a
  // device whose selectors fail to evaluate on its way (an error), or, under upstream counter
  // accounting, one whose try may leave counters taken (a side effect later choices see).
  if (potential(s, claim, slot, fw(f, F_START), num - dev) < num - dev) return ret(s, false, ERR_NONE);
  setFw(f, F_KIND, K_DEVLOOP);
  setFw(f, F_POS, fw(f, F_START));
  return deviceLoop(s, f);
}

/**
 * Devices from `start` on that the device loop could take, counted up to `enough` (`enough`
 * when trying them could have an effect beyond the subtree: an error, or counters left taken).
 */
function potential(s: State, claim: i32, slot: i32, start: i32, enough: i32): i32 {
  const nDev = s.nDev;
  const admin = i32At(s.region(H_SLOT_ADMIN), slot) != 0;
  const status = s.region(H_SLOT_STATUS) + <usize>slot * <usize>nDev;
  // Upstream accounting: counters stay taken when a taint or a constraint rejects the device,
  // or when a share is given back.
  const leaks = !s.exact;
  const slotConstrained = leaks && constrained(s, claim, slot);
  const flags = s.region(H_DEV_FLAGS);
  let n = 0;
  for (let p = start; p < nDev && n < enough; p++) {
    const st = load<u8>(status + <usize>p);
    if (!(st & (ST_SELECTABLE | ST_ERROR))) continue;
    if (admin ? allocatingForClaim(s, p, claim) : inUse(s, p)) continue;
    if (st & ST_ERROR) return enough; // reachable error: never prune
    if (leaks && st & (ST_STATIC_OK | ST_TAINTED) && hasCounters(s, p)) {
      if (slotConstrained || st & ST_TAINTED || i32At(flags, p) & DEV_MULTI) return enough;
    }
    if (!matchAllows(s, claim, slot, p)) continue; // its attribute value no longer fits
    n++;
  }
  return n;
}

/** Upstream's loop over pools, slices and devices, from the frame's cursor on. */
function deviceLoop(s: State, f: usize): i32 {
  const claim = fw(f, F_CLAIM);
  const slot = fw(f, F_SLOT);
  const nDev = s.hdr(H_NDEV);
  const admin = i32At(s.region(H_SLOT_ADMIN), slot) != 0;
  const status = s.region(H_SLOT_STATUS) + <usize>slot * <usize>nDev;
  for (let p = fw(f, F_POS); p < nDev; p++) {
    // Checking for "in use" is cheap and thus comes first, as upstream.
    if (admin) {
      if (allocatingForClaim(s, p, claim)) continue;
    } else if (inUse(s, p)) continue;
    const st = load<u8>(status + <usize>p);
    if (st & ST_ERROR) {
      s.errSlot = slot;
      s.errDev = p;
      s.fatal = RESULT_CEL_ERROR;
      return ret(s, false, ERR_FATAL);
    }
    if (!(st & ST_SELECTABLE)) continue;
    const r = tryAllocate(s, claim, fw(f, F_REQ), slot, p, false);
    if (r == TRY_FATAL) return ret(s, false, ERR_FATAL);
    if (r != TRY_OK) continue;
    setFw(f, F_POS, p);
    // Combinations, not permutations: the next device of this request starts after this one.
    return call(s, f, K_DEVLOOP, claim, fw(f, F_REQ), fw(f, F_SUB), fw(f, F_DEV) + 1, fw(f, F_INSUB), p + 1);
  }
  return ret(s, false, ERR_NONE);
}

function resume(s: State, f: usize, ok: bool, err: i32): i32 {
  const kind = fw(f, F_KIND);
  if (kind == K_CLAIM_END) {
    // Not fatal for this claim: another allocation of earlier claims may let a
    // later claim choose a subrequest that needs fewer devices.
    if (err == ERR_MAXSIZE) return ret(s, false, ERR_NONE);
    return ret(s, ok, err);
  }
  if (kind == K_REQ_END) return ret(s, ok, err);
  if (kind == K_ALLDEV) {
    if (err != ERR_NONE || !ok) {
      deallocate(s, fw(f, F_CLAIM), fw(f, F_REQ), fw(f, F_SLOT), fw(f, F_POS));
      return ret(s, false, err);
    }
    return ret(s, true, ERR_NONE);
  }
  if (kind == K_DEVLOOP) {
    if (err == ERR_NONE && ok) return ret(s, true, ERR_NONE);
    deallocate(s, fw(f, F_CLAIM), fw(f, F_REQ), fw(f, F_SLOT), fw(f, F_POS));
    if (err != ERR_NONE) return ret(s, false, err);
    setFw(f, F_POS, fw(f, F_POS) + 1);
    return deviceLoop(s, f);
  }
  // K_SUBLOOP
  const claim = fw(f, F_CLAIM);
  const gr = i32At(s.region(H_CLAIM_REQ_START), claim) + fw(f, F_REQ);
  let sub = fw(f, F_POS);
  if (err != ERR_MAXSIZE) {
    setFw(f, F_FLAG, 0);
    if (err != ERR_NONE) return ret(s, false, err);
    if (ok) {
      setI32(s.region(H_OUT_SELSUB), gr, sub);
      return ret(s, true, ERR_NONE);
    }
  }
  sub++;
  const nSubs = i32At(s.region(H_REQ_SLOT_START), gr + 1) - i32At(s.region(H_REQ_SLOT_START), gr);
  if (sub >= nSubs) return ret(s, false, fw(f, F_FLAG) != 0 ? ERR_MAXSIZE : ERR_NONE);
  setFw(f, F_POS, sub);
  return call(s, f, K_SUBLOOP, claim, fw(f, F_REQ), sub, fw(f, F_DEV), 1, fw(f, F_START));
}
