// The placement kernel: places a run of Pods one after the other over resident cluster state,
// as src/schedule/scheduler.ts `decide` does with the upstream strategy — nodes from the
// rotating start, the node checks' verdict per pod shape, the search of the shape's cached
// problem on each node (the search of search.ts, unchanged), the best DRA score among the
// first `wanted` feasible nodes (stopping at the highest possible score), then the commit into
// the resident state (in-use flags, shared counters, shares of multi-allocatable devices and
// the capacity they consume) and an output record the host decodes.
// With the pack strategy the nodes go by ascending free devices for the Pod's requests (the
// shape table's keys, as schedule/summary.ts counts them), and after each commit the node is
// counted and re-ranked in every shape table of the run — when that is all that changed (the
// node shares no device or counter with another node), else the run ends after the Pod.
// Its plain-TypeScript twin is src/schedule/placement/loop-ts.ts; both follow the contract of
// layout.ts (R_*, SH_*, REC_*) and stop at the first Pod they cannot decide exactly.

import {
  H_NDEV, H_NREQ, H_NCOUNTER, H_DEV_FLAGS, H_COUNTER_AVAIL, H_REQ_HAS_SUBS, H_SLOT_ADMIN, H_OUT, H_OUT_SELSUB,
  H_OUT_PICKS, H_ACCOUNTING, OUT_STEPS, OUT_NPICKS, DEV_ALLOCATED, RESULT_OK, RESULT_UNSAT,
  H_SLOT_STATUS, H_REQ_SLOT_START, H_DEV_CNT_START, H_CNT_IDX, H_CNT_AMT, H_DEV_POOL_CNT_START, H_DEV_POOL_CNT_END,
  ST_ERROR, ST_SELECTABLE, ST_STATIC_OK, R_RANKED, R_STRATEGY, R_SHAPES, R_NSHAPES, R_NODE_LOCAL, R_VISITS, STRATEGY_PACK, STOP_PAUSED,
  SH_KEYS, SH_ORDER, SH_POS, SH_ALL_BLOCKS, SH_ADMIT, ADMIT_UNKNOWN, ADMIT_NO, ADMIT_YES, REC_REJECTED,
  H_SLOT_NUM, H_SLOT_MODE, MODE_ALL, H_NCAP, H_CAP_AVAIL, H_SLOT_CAPUSE_START, H_CAPUSE_IDX, H_CAPUSE_AMT,
  DEV_MULTI, DEV_SHARED_BEFORE, DEV_AGGREGATED_BEFORE, RF_AGGREGATED, R_CAP_START, R_CAP_LEFT, ACCOUNTING_EXACT,
  R_NNODES, R_START, R_WANTED, R_NPODS, R_DONE, R_STOP, R_SLICE, R_PODS, R_OUT, R_REC_STRIDE, R_FLAGS, R_AVAIL,
  R_NODE_SLOTS, R_SLOTS, R_NODE_CNT, R_CNT_MAP, R_USE_START, R_USE_CNT, R_USE_AMT, R_HELD_MASK, R_ACCOUNTING, R_STEPS,
  FIRST_AVAILABLE_MAX, RF_DEDICATED, RF_SHARED, STOP_END, STOP_UNPLACED, STOP_HOST, SH_MAX_SCORE, SH_BLOCKS,
  REC_NODE, REC_EXAMINED, REC_SEARCHES, REC_NREQ, REC_NPICKS, REC_WORDS,
} from './layout';
import { i32At, setI32, i64At, setI64 } from './block';
import { start as startSearch, run as runSearch } from './search';

@inline function word(run: usize, w: i32): i32 { return i32At(run, w); }
@inline function addr(run: usize, w: i32): usize { return <usize><u32>i32At(run, w); }
/** Address of the region whose offset is in header word `h` of the block at `b`. */
@inline function region(b: usize, h: i32): usize { return b + <usize>i32At(b, h); }

/** Places the run's Pods in order until one needs the host; see layout.ts R_* for the words. */
export function placeRun(run: usize): void {
  const n = word(run, R_NNODES);
  const pods = addr(run, R_PODS);
  const out = addr(run, R_OUT);
  const stride = word(run, R_REC_STRIDE);
  const nPods = word(run, R_NPODS);
  let start = word(run, R_START);
  const pack = word(run, R_STRATEGY) == STRATEGY_PACK;
  let stop = STOP_END;
  let done = 0;
  setI32(run, R_STEPS, 0);
  setI32(run, R_RANKED, 1);
  let visits = 0;
  while (done < nPods) {
    const rec = out + (<usize>done * <usize>stride << 2);
    const shape = <usize><u32>i32At(pods, done);
    stop = placePod(run, shape, rec, start, n, pack);
    if (stop != STOP_END) break;
    commit(run, shape, rec);
    forget(run, i32At(rec, REC_NODE), n);
    done++;
    visits += i32At(rec, REC_EXAMINED);
    if (!pack) {
      start = (start + i32At(rec, REC_EXAMINED)) % n;
    } else if (!rerank(run, i32At(rec, REC_NODE), n)) {
      // The orders are stale: the host decides the next Pod and ranks anew.
      setI32(run, R_RANKED, 0);
      if (done < nPods) stop = STOP_HOST;
      break;
    }
    if (visits >= word(run, R_VISITS) && done < nPods) {
      stop = STOP_PAUSED;
      break;
    }
  }
  setI32(run, R_START, start);
  setI32(run, R_DONE, done);
  setI32(run, R_STOP, stop);
}

/**
 * Walks the nodes for one Pod of shape table `shape` and writes the best feasible node's answer
 * to `rec`; STOP_END when it found one, else why the host must decide the Pod.
 */
function placePod(run: usize, shape: usize, rec: usize, start: i32, n: i32, pack: bool): i32 {
  const wanted = word(run, R_WANTED);
  const slice = <u32>word(run, R_SLICE);
  const maxScore = i32At(shape, SH_MAX_SCORE);
  let best = -1;
  let bestScore = -1;
  let feasible = 0;
  let examined = 0;
  let searches = 0;
  let rejected = 0;
  const order = <usize><u32>i32At(shape, SH_ORDER);
  const admit = <usize><u32>i32At(shape, SH_ADMIT);
  for (let i = 0; i < n; i++) {
    let node = start + i;
    if (node >= n) node -= n;
    if (pack) node = i32At(order, i);
    examined++;
    const b = i32At(shape, SH_BLOCKS + node);
    if (b < 0) continue; // the node's checks reject the Pod
    if (b == 0) return STOP_HOST;
    const block = <usize><u32>b;
    // The summary check the host makes before a search (schedule/summary.ts), kept per node: a
    // node it ruled out needs no refresh (the block, shared by the nodes of a node shape, holds
    // this node's state only after one).
    let verdict = <i32>load<u8>(admit + <usize>node);
    if (verdict != ADMIT_NO) refresh(run, block, node);
    if (verdict == ADMIT_UNKNOWN) {
      verdict = admits(block) ? ADMIT_YES : ADMIT_NO;
      store<u8>(admit + <usize>node, <u8>verdict);
    }
    if (verdict == ADMIT_NO) {
      rejected++;
      continue;
    }
    startSearch(block);
    const status = runSearch(slice);
    searches++;
    setI32(run, R_STEPS, word(run, R_STEPS) + i32At(region(block, H_OUT), OUT_STEPS));
    if (status == RESULT_UNSAT) continue;
    if (status != RESULT_OK) return STOP_HOST; // an error to report, or over the slice
    feasible++;
    const score = scoreOf(block);
    if (score > bestScore) {
      bestScore = score;
      best = node;
      copyAnswer(block, rec);
    }
    if (bestScore >= maxScore || feasible >= wanted) break;
  }
  if (best < 0) return STOP_UNPLACED;
  setI32(rec, REC_NODE, best);
  setI32(rec, REC_EXAMINED, examined);
  setI32(rec, REC_SEARCHES, searches);
  setI32(rec, REC_REJECTED, rejected);
  return STOP_END;
}

/**
 * Writes the resident state of `node` into the block's dynamic regions, as compile/problem.ts
 * refreshDynamic does: device flags (DEV_MULTI is the device's own and stays), counters left,
 * capacity left (the node's entries device after device: the block's order), accounting.
 */
function refresh(run: usize, block: usize, node: i32): void {
  const flags = addr(run, R_FLAGS);
  const held = word(run, R_HELD_MASK);
  const slots = addr(run, R_SLOTS) + (<usize>i32At(addr(run, R_NODE_SLOTS), node) << 2);
  const devFlags = region(block, H_DEV_FLAGS);
  const nDev = i32At(block, H_NDEV);
  for (let d = 0; d < nDev; d++) {
    const f = <i32>load<u8>(flags + <usize>i32At(slots, d));
    let v = i32At(devFlags, d) & DEV_MULTI;
    if ((f & held) != 0) v |= DEV_ALLOCATED;
    if (v & DEV_MULTI) {
      if ((f & RF_SHARED) != 0) v |= DEV_SHARED_BEFORE;
      if ((f & RF_AGGREGATED) != 0) v |= DEV_AGGREGATED_BEFORE;
    }
    setI32(devFlags, d, v);
  }
  if (i32At(block, H_NCAP) > 0) {
    const capStart = addr(run, R_CAP_START);
    const capLeft = addr(run, R_CAP_LEFT);
    const left = region(block, H_CAP_AVAIL);
    let e = 0;
    for (let d = 0; d < nDev; d++) {
      const slot = i32At(slots, d);
      for (let u = i32At(capStart, slot), end = i32At(capStart, slot + 1); u < end; u++) setI64(left, e++, i64At(capLeft, u));
    }
  }
  const nCounter = i32At(block, H_NCOUNTER);
  if (nCounter > 0) {
    const avail = addr(run, R_AVAIL);
    const map = addr(run, R_CNT_MAP) + (<usize>i32At(addr(run, R_NODE_CNT), node) << 2);
    const left = region(block, H_COUNTER_AVAIL);
    for (let c = 0; c < nCounter; c++) setI64(left, c, i64At(avail, i32At(map, c)));
  }
  setI32(block, H_ACCOUNTING, word(run, R_ACCOUNTING));
}

/** The DRA plugin's score of the block's answer: Σ over firstAvailable requests of 8 − the chosen index. */
function scoreOf(block: usize): i32 {
  const nReq = i32At(block, H_NREQ);
  const hasSubs = region(block, H_REQ_HAS_SUBS);
  const sel = region(block, H_OUT_SELSUB);
  let score = 0;
  for (let r = 0; r < nReq; r++) {
    if (i32At(hasSubs, r) == 0) continue;
    const s = i32At(sel, r);
    score += FIRST_AVAILABLE_MAX - (s > 0 ? s : 0);
  }
  return score;
}

/** Copies the block's answer (chosen subrequests, picks) into the record. */
function copyAnswer(block: usize, rec: usize): void {
  const nReq = i32At(block, H_NREQ);
  const nPicks = i32At(region(block, H_OUT), OUT_NPICKS);
  setI32(rec, REC_NREQ, nReq);
  setI32(rec, REC_NPICKS, nPicks);
  const body = rec + (<usize>REC_WORDS << 2);
  memory.copy(body, region(block, H_OUT_SELSUB), <usize>nReq << 2);
  memory.copy(body + (<usize>nReq << 2), region(block, H_OUT_PICKS), <usize>nPicks << 3);
}

/**
 * Commits the record's picks on its node into the resident state, as the host's commit does to
 * the allocated state: a device taken without adminAccess becomes dedicated — a multi-allocatable
 * one gets a share instead (its result carries a shareID): the pair's capacity demand comes off
 * the device's entries (the k-th demand is the k-th entry), and the share reports
 * consumedCapacity (RF_AGGREGATED) when the device has capacities — and when it was neither
 * dedicated nor shared before, what it consumes of shared counters is taken. It reads only the
 * block's static parts (admin access, DEV_MULTI, capacity demands): the block, shared by the
 * nodes of a node shape, may hold a node visited after the record's by now.
 */
function commit(run: usize, shape: usize, rec: usize): void {
  const node = i32At(rec, REC_NODE);
  const block = <usize><u32>i32At(shape, SH_BLOCKS + node);
  const admin = region(block, H_SLOT_ADMIN);
  const devFlags = region(block, H_DEV_FLAGS);
  const nDev = i32At(block, H_NDEV);
  const capuseStart = region(block, H_SLOT_CAPUSE_START);
  const capuseAmt = region(block, H_CAPUSE_AMT);
  const capStart = addr(run, R_CAP_START);
  const capLeft = addr(run, R_CAP_LEFT);
  const flags = addr(run, R_FLAGS);
  const slots = addr(run, R_SLOTS) + (<usize>i32At(addr(run, R_NODE_SLOTS), node) << 2);
  const useStart = addr(run, R_USE_START);
  const useCnt = addr(run, R_USE_CNT);
  const useAmt = addr(run, R_USE_AMT);
  const avail = addr(run, R_AVAIL);
  const picks = rec + (<usize>(REC_WORDS + i32At(rec, REC_NREQ)) << 2);
  const nPicks = i32At(rec, REC_NPICKS);
  for (let p = 0; p < nPicks; p++) {
    const s = i32At(picks, 2 * p);
    if (i32At(admin, s) != 0) continue;
    const d = i32At(picks, 2 * p + 1);
    const slot = i32At(slots, d);
    const f = <i32>load<u8>(flags + <usize>slot);
    if ((f & (RF_DEDICATED | RF_SHARED)) == 0) {
      for (let u = i32At(useStart, slot), e = i32At(useStart, slot + 1); u < e; u++) {
        const c = i32At(useCnt, u);
        setI64(avail, c, i64At(avail, c) - i64At(useAmt, u));
      }
    }
    let taken = RF_DEDICATED;
    if ((i32At(devFlags, d) & DEV_MULTI) != 0) {
      const first = i32At(capStart, slot);
      const k = s * nDev + d;
      for (let q = i32At(capuseStart, k), e = i32At(capuseStart, k + 1), u = first; q < e; q++, u++) {
        setI64(capLeft, u, i64At(capLeft, u) - i64At(capuseAmt, q));
      }
      taken = i32At(capStart, slot + 1) > first ? RF_SHARED | RF_AGGREGATED : RF_SHARED;
    }
    store<u8>(flags + <usize>slot, <u8>(f | taken));
  }
}

/**
 * Pack: counts committed node `x` anew in every shape table of the run and moves it to its place
 * in each order. False when that is not enough — the node shares devices or counters with other
 * nodes (their counts changed too), or a shape has no block on it to count with.
 */
function rerank(run: usize, x: i32, n: i32): bool {
  if (load<u8>(addr(run, R_NODE_LOCAL) + <usize>x) == 0) return false;
  const shapes = addr(run, R_SHAPES);
  for (let k = 0, e = word(run, R_NSHAPES); k < e; k++) {
    const shape = <usize><u32>i32At(shapes, k);
    const b = i32At(<usize><u32>i32At(shape, SH_ALL_BLOCKS), x);
    if (b == 0) return false;
    const block = <usize><u32>b;
    refresh(run, block, x);
    store<f64>(<usize><u32>i32At(shape, SH_KEYS) + (<usize>x << 3), freeSum(block));
    reposition(shape, x, n);
  }
  return true;
}

/** summary.ts admits, for every request: one of its slots has enough devices free (an All slot: one). */
function admits(block: usize): bool {
  const slotStart = region(block, H_REQ_SLOT_START);
  const num = region(block, H_SLOT_NUM);
  const mode = region(block, H_SLOT_MODE);
  for (let r = 0, e = i32At(block, H_NREQ); r < e; r++) {
    let ok = false;
    for (let slot = i32At(slotStart, r), end = i32At(slotStart, r + 1); slot < end && !ok; slot++) {
      const need = i32At(mode, slot) == MODE_ALL ? 1 : i32At(num, slot);
      ok = freeFor(block, slot, need) >= need;
    }
    if (!ok) return false;
  }
  return true;
}

/**
 * After a commit on node `x`: the summary verdicts on it are stale in every shape of the run —
 * on every node when `x` shares devices or counters with other nodes.
 */
function forget(run: usize, x: i32, n: i32): void {
  const local = load<u8>(addr(run, R_NODE_LOCAL) + <usize>x) != 0;
  const shapes = addr(run, R_SHAPES);
  for (let k = 0, e = word(run, R_NSHAPES); k < e; k++) {
    const admit = <usize><u32>i32At(<usize><u32>i32At(shapes, k), SH_ADMIT);
    if (local) store<u8>(admit + <usize>x, <u8>ADMIT_UNKNOWN);
    else memory.fill(admit, <u8>ADMIT_UNKNOWN, <usize>n);
  }
}

/** Σ over the block's requests of the devices free for the request's first slot (summary.ts `free`). */
function freeSum(block: usize): f64 {
  const slotStart = region(block, H_REQ_SLOT_START);
  let sum: f64 = 0;
  for (let r = 0, e = i32At(block, H_NREQ); r < e; r++) sum += <f64>freeFor(block, i32At(slotStart, r), 0x7fffffff);
  return sum;
}

/**
 * Devices that could serve one more request of `slot`, each judged alone (compile/eligibility.ts
 * dynamicMiss after the static bits), counted up to `limit`: a device whose selectors fail
 * counts; else selectable, statically fine, not held by others (unless admin access), its
 * counters fit (a multi-allocatable device whose shares hold them already needs none), and a
 * multi-allocatable device has what one more share consumes left of every capacity.
 */
function freeFor(block: usize, slot: i32, limit: i32): i32 {
  const nDev = i32At(block, H_NDEV);
  const status = region(block, H_SLOT_STATUS) + <usize>slot * <usize>nDev;
  const admin = i32At(region(block, H_SLOT_ADMIN), slot) != 0;
  const devFlags = region(block, H_DEV_FLAGS);
  // The bit by which a multi-allocatable device's shares hold its counters already (the block's accounting).
  const holds = i32At(block, H_ACCOUNTING) == ACCOUNTING_EXACT ? DEV_SHARED_BEFORE : DEV_AGGREGATED_BEFORE;
  let free = 0;
  for (let d = 0; d < nDev && free < limit; d++) {
    const st = load<u8>(status + <usize>d);
    if (st & ST_ERROR) {
      free++;
      continue;
    }
    if (!(st & ST_SELECTABLE) || !(st & ST_STATIC_OK)) continue;
    const f = i32At(devFlags, d);
    if (!admin && (f & DEV_ALLOCATED) != 0) continue;
    if ((f & DEV_MULTI) == 0) {
      if (countersFit(block, d)) free++;
      continue;
    }
    if (((f & holds) != 0 || countersFit(block, d)) && capacityLeftFits(block, slot, d, nDev)) free++;
  }
  return free;
}

/** eligibility.ts capacityLeftMiss: one more share of `d` for `slot` fits what is left of each of its capacities. */
function capacityLeftFits(block: usize, slot: i32, d: i32, nDev: i32): bool {
  const start = region(block, H_SLOT_CAPUSE_START);
  const idx = region(block, H_CAPUSE_IDX);
  const amt = region(block, H_CAPUSE_AMT);
  const left = region(block, H_CAP_AVAIL);
  const k = slot * nDev + d;
  for (let q = i32At(start, k), e = i32At(start, k + 1); q < e; q++) if (i64At(amt, q) > i64At(left, i32At(idx, q))) return false;
  return true;
}

/** eligibility.ts countersMiss: each amount is left, and taking them all leaves no counter of the pool negative. */
function countersFit(block: usize, d: i32): bool {
  const start = region(block, H_DEV_CNT_START);
  const first = i32At(start, d);
  const end = i32At(start, d + 1);
  if (first == end) return true;
  const idx = region(block, H_CNT_IDX);
  const amt = region(block, H_CNT_AMT);
  const avail = region(block, H_COUNTER_AVAIL);
  for (let u = first; u < end; u++) if (i64At(amt, u) > i64At(avail, i32At(idx, u))) return false;
  for (let u = first; u < end; u++) setI64(avail, i32At(idx, u), i64At(avail, i32At(idx, u)) - i64At(amt, u));
  let fits = true;
  for (let c = i32At(region(block, H_DEV_POOL_CNT_START), d), e = i32At(region(block, H_DEV_POOL_CNT_END), d); c < e; c++) {
    if (i64At(avail, c) < 0) fits = false;
  }
  for (let u = first; u < end; u++) setI64(avail, i32At(idx, u), i64At(avail, i32At(idx, u)) + i64At(amt, u));
  return fits;
}

/** Moves node `x` to its place in the shape's order after its key changed (ascending key, ties by index). */
function reposition(shape: usize, x: i32, n: i32): void {
  const keys = <usize><u32>i32At(shape, SH_KEYS);
  const order = <usize><u32>i32At(shape, SH_ORDER);
  const pos = <usize><u32>i32At(shape, SH_POS);
  const k = load<f64>(keys + (<usize>x << 3));
  let p = i32At(pos, x);
  while (p > 0) {
    const y = i32At(order, p - 1);
    const ky = load<f64>(keys + (<usize>y << 3));
    if (ky < k || (ky == k && y < x)) break;
    setI32(order, p, y);
    setI32(pos, y, p);
    p--;
  }
  while (p < n - 1) {
    const y = i32At(order, p + 1);
    const ky = load<f64>(keys + (<usize>y << 3));
    if (ky > k || (ky == k && y > x)) break;
    setI32(order, p, y);
    setI32(pos, y, p);
    p++;
  }
  setI32(order, p, x);
  setI32(pos, x, p);
}
