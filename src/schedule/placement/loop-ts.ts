/**
 * The placement kernel's loop in plain TypeScript: the twin of assembly/placement.ts `placeRun`
 * over the same memory (run descriptor, resident regions, problem blocks), calling the WASM
 * search per node — so that what running the loop inside the WASM core is worth is measured
 * (DRALLOC_PLACEMENT=ts), not assumed. Step for step the same as the AssemblyScript loop; the
 * differential test (test/schedule/placement-kernel.test.ts) holds both to the host's answers.
 */

import type { SolverExports } from '../../wasm/instance.js';
import { ACCOUNTING, ADMIT, DEV, FIRST_AVAILABLE_MAX, H, MODE, OUT, REC, REC_WORDS, R, RESULT, RF, SH, ST, STOP, STRATEGY } from '../../wasm/layout.js';

/** Views of the whole memory; indices are addresses ÷ element size. */
interface Mem {
  i32: Int32Array;
  u8: Uint8Array;
  i64: BigInt64Array;
  f64: Float64Array;
}

export function placeRunTs(wasm: SolverExports, run: number): void {
  const buf = wasm.memory.buffer;
  const m: Mem = { i32: new Int32Array(buf), u8: new Uint8Array(buf), i64: new BigInt64Array(buf), f64: new Float64Array(buf) };
  const w = (word: number) => m.i32[(run >> 2) + word];
  const n = w(R.NNODES);
  const pods = w(R.PODS) >> 2;
  const out = w(R.OUT);
  const stride = w(R.REC_STRIDE);
  const nPods = w(R.NPODS);
  let start = w(R.START);
  const pack = w(R.STRATEGY) === STRATEGY.PACK;
  let stop: number = STOP.END;
  let done = 0;
  m.i32[(run >> 2) + R.STEPS] = 0;
  m.i32[(run >> 2) + R.RANKED] = 1;
  let visits = 0;
  while (done < nPods) {
    const rec = out + 4 * done * stride;
    const shape = m.i32[pods + done];
    stop = placePod(wasm, m, run, shape, rec, start, n, pack);
    if (stop !== STOP.END) break;
    commit(m, run, shape, rec);
    forget(m, run, m.i32[(rec >> 2) + REC.NODE], n);
    done++;
    visits += m.i32[(rec >> 2) + REC.EXAMINED];
    if (!pack) {
      start = (start + m.i32[(rec >> 2) + REC.EXAMINED]) % n;
    } else if (!rerank(m, run, m.i32[(rec >> 2) + REC.NODE], n)) {
      m.i32[(run >> 2) + R.RANKED] = 0;
      if (done < nPods) stop = STOP.HOST;
      break;
    }
    if (visits >= w(R.VISITS) && done < nPods) {
      stop = STOP.PAUSED;
      break;
    }
  }
  m.i32[(run >> 2) + R.START] = start;
  m.i32[(run >> 2) + R.DONE] = done;
  m.i32[(run >> 2) + R.STOP] = stop;
}

/** Absolute word index of the region in header word `h` of the block at `b`. */
const region = (m: Mem, b: number, h: number) => (b + m.i32[(b >> 2) + h]) >> 2;

function placePod(wasm: SolverExports, m: Mem, run: number, shape: number, rec: number, start: number, n: number, pack: boolean): number {
  const r = run >> 2;
  const wanted = m.i32[r + R.WANTED];
  const slice = m.i32[r + R.SLICE];
  const maxScore = m.i32[(shape >> 2) + SH.MAX_SCORE];
  let best = -1;
  let bestScore = -1;
  let feasible = 0;
  let examined = 0;
  let searches = 0;
  let rejected = 0;
  const order = m.i32[(shape >> 2) + SH.ORDER] >> 2;
  const admit = m.i32[(shape >> 2) + SH.ADMIT];
  for (let i = 0; i < n; i++) {
    let node = start + i;
    if (node >= n) node -= n;
    if (pack) node = m.i32[order + i];
    examined++;
    const b = m.i32[(shape >> 2) + SH.BLOCKS + node];
    if (b < 0) continue;
    if (b === 0) return STOP.HOST;
    let verdict = m.u8[admit + node];
    if (verdict !== ADMIT.NO) refresh(m, run, b, node);
    if (verdict === ADMIT.UNKNOWN) verdict = m.u8[admit + node] = admits(m, b) ? ADMIT.YES : ADMIT.NO;
    if (verdict === ADMIT.NO) {
      rejected++;
      continue;
    }
    wasm.start(b);
    const status = wasm.run(slice);
    searches++;
    m.i32[r + R.STEPS] += m.i32[region(m, b, H.OUT) + OUT.STEPS];
    if (status === RESULT.UNSAT) continue;
    if (status !== RESULT.OK) return STOP.HOST;
    feasible++;
    const score = scoreOf(m, b);
    if (score > bestScore) {
      bestScore = score;
      best = node;
      copyAnswer(m, b, rec);
    }
    if (bestScore >= maxScore || feasible >= wanted) break;
  }
  if (best < 0) return STOP.UNPLACED;
  m.i32[(rec >> 2) + REC.NODE] = best;
  m.i32[(rec >> 2) + REC.EXAMINED] = examined;
  m.i32[(rec >> 2) + REC.SEARCHES] = searches;
  m.i32[(rec >> 2) + REC.REJECTED] = rejected;
  return STOP.END;
}

function refresh(m: Mem, run: number, b: number, node: number): void {
  const r = run >> 2;
  const flags = m.i32[r + R.FLAGS];
  const held = m.i32[r + R.HELD_MASK];
  const slots = (m.i32[r + R.SLOTS] >> 2) + m.i32[(m.i32[r + R.NODE_SLOTS] >> 2) + node];
  const devFlags = region(m, b, H.DEV_FLAGS);
  const nDev = m.i32[(b >> 2) + H.NDEV];
  for (let d = 0; d < nDev; d++) {
    const f = m.u8[flags + m.i32[slots + d]];
    let v = m.i32[devFlags + d] & DEV.MULTI;
    if (f & held) v |= DEV.ALLOCATED;
    if (v & DEV.MULTI) {
      if (f & RF.SHARED) v |= DEV.SHARED_BEFORE;
      if (f & RF.AGGREGATED) v |= DEV.AGGREGATED_BEFORE;
    }
    m.i32[devFlags + d] = v;
  }
  if (m.i32[(b >> 2) + H.NCAP] > 0) {
    const capStart = m.i32[r + R.CAP_START] >> 2;
    const capLeft = m.i32[r + R.CAP_LEFT] >> 3;
    const left = (b + m.i32[(b >> 2) + H.CAP_AVAIL]) >> 3;
    let e = 0;
    for (let d = 0; d < nDev; d++) {
      const slot = m.i32[slots + d];
      for (let u = m.i32[capStart + slot], end = m.i32[capStart + slot + 1]; u < end; u++) m.i64[left + e++] = m.i64[capLeft + u];
    }
  }
  const nCounter = m.i32[(b >> 2) + H.NCOUNTER];
  if (nCounter > 0) {
    const avail = m.i32[r + R.AVAIL] >> 3;
    const map = (m.i32[r + R.CNT_MAP] >> 2) + m.i32[(m.i32[r + R.NODE_CNT] >> 2) + node];
    const left = (b + m.i32[(b >> 2) + H.COUNTER_AVAIL]) >> 3;
    for (let c = 0; c < nCounter; c++) m.i64[left + c] = m.i64[avail + m.i32[map + c]];
  }
  m.i32[(b >> 2) + H.ACCOUNTING] = m.i32[r + R.ACCOUNTING];
}

function scoreOf(m: Mem, b: number): number {
  const nReq = m.i32[(b >> 2) + H.NREQ];
  const hasSubs = region(m, b, H.REQ_HAS_SUBS);
  const sel = region(m, b, H.OUT_SELSUB);
  let score = 0;
  for (let q = 0; q < nReq; q++) if (m.i32[hasSubs + q] !== 0) score += FIRST_AVAILABLE_MAX - Math.max(0, m.i32[sel + q]);
  return score;
}

function copyAnswer(m: Mem, b: number, rec: number): void {
  const nReq = m.i32[(b >> 2) + H.NREQ];
  const nPicks = m.i32[region(m, b, H.OUT) + OUT.NPICKS];
  const at = rec >> 2;
  m.i32[at + REC.NREQ] = nReq;
  m.i32[at + REC.NPICKS] = nPicks;
  const sel = region(m, b, H.OUT_SELSUB);
  m.i32.copyWithin(at + REC_WORDS, sel, sel + nReq);
  const picks = region(m, b, H.OUT_PICKS);
  m.i32.copyWithin(at + REC_WORDS + nReq, picks, picks + 2 * nPicks);
}

function commit(m: Mem, run: number, shape: number, rec: number): void {
  const r = run >> 2;
  const at = rec >> 2;
  const node = m.i32[at + REC.NODE];
  const b = m.i32[(shape >> 2) + SH.BLOCKS + node];
  const admin = region(m, b, H.SLOT_ADMIN);
  const devFlags = region(m, b, H.DEV_FLAGS);
  const nDev = m.i32[(b >> 2) + H.NDEV];
  const capuseStart = region(m, b, H.SLOT_CAPUSE_START);
  const capuseAmt = (b + m.i32[(b >> 2) + H.CAPUSE_AMT]) >> 3;
  const capStart = m.i32[r + R.CAP_START] >> 2;
  const capLeft = m.i32[r + R.CAP_LEFT] >> 3;
  const flags = m.i32[r + R.FLAGS];
  const slots = (m.i32[r + R.SLOTS] >> 2) + m.i32[(m.i32[r + R.NODE_SLOTS] >> 2) + node];
  const useStart = m.i32[r + R.USE_START] >> 2;
  const useCnt = m.i32[r + R.USE_CNT] >> 2;
  const useAmt = m.i32[r + R.USE_AMT] >> 3;
  const avail = m.i32[r + R.AVAIL] >> 3;
  const picks = at + REC_WORDS + m.i32[at + REC.NREQ];
  const nPicks = m.i32[at + REC.NPICKS];
  for (let p = 0; p < nPicks; p++) {
    const s = m.i32[picks + 2 * p];
    if (m.i32[admin + s] !== 0) continue;
    const d = m.i32[picks + 2 * p + 1];
    const slot = m.i32[slots + d];
    const f = m.u8[flags + slot];
    if ((f & (RF.DEDICATED | RF.SHARED)) === 0) {
      for (let u = m.i32[useStart + slot], e = m.i32[useStart + slot + 1]; u < e; u++) m.i64[avail + m.i32[useCnt + u]] -= m.i64[useAmt + u];
    }
    let taken: number = RF.DEDICATED;
    if (m.i32[devFlags + d] & DEV.MULTI) {
      const first = m.i32[capStart + slot];
      const k = s * nDev + d;
      for (let q = m.i32[capuseStart + k], e = m.i32[capuseStart + k + 1], u = first; q < e; q++, u++) m.i64[capLeft + u] -= m.i64[capuseAmt + q];
      taken = m.i32[capStart + slot + 1] > first ? RF.SHARED | RF.AGGREGATED : RF.SHARED;
    }
    m.u8[flags + slot] = f | taken;
  }
}

function rerank(m: Mem, run: number, x: number, n: number): boolean {
  const r = run >> 2;
  if (m.u8[m.i32[r + R.NODE_LOCAL] + x] === 0) return false;
  const shapes = m.i32[r + R.SHAPES] >> 2;
  for (let k = 0; k < m.i32[r + R.NSHAPES]; k++) {
    const shape = m.i32[shapes + k] >> 2;
    const b = m.i32[(m.i32[shape + SH.ALL_BLOCKS] >> 2) + x];
    if (b === 0) return false;
    refresh(m, run, b, x);
    m.f64[(m.i32[shape + SH.KEYS] >> 3) + x] = freeSum(m, b);
    reposition(m, shape, x, n);
  }
  return true;
}

function admits(m: Mem, b: number): boolean {
  const slotStart = region(m, b, H.REQ_SLOT_START);
  const num = region(m, b, H.SLOT_NUM);
  const mode = region(m, b, H.SLOT_MODE);
  for (let q = 0; q < m.i32[(b >> 2) + H.NREQ]; q++) {
    let ok = false;
    for (let slot = m.i32[slotStart + q]; slot < m.i32[slotStart + q + 1] && !ok; slot++) {
      const need = m.i32[mode + slot] === MODE.ALL ? 1 : m.i32[num + slot];
      ok = freeFor(m, b, slot, need) >= need;
    }
    if (!ok) return false;
  }
  return true;
}

function forget(m: Mem, run: number, x: number, n: number): void {
  const r = run >> 2;
  const local = m.u8[m.i32[r + R.NODE_LOCAL] + x] !== 0;
  const shapes = m.i32[r + R.SHAPES] >> 2;
  for (let k = 0; k < m.i32[r + R.NSHAPES]; k++) {
    const admit = m.i32[(m.i32[shapes + k] >> 2) + SH.ADMIT];
    if (local) m.u8[admit + x] = ADMIT.UNKNOWN;
    else m.u8.fill(ADMIT.UNKNOWN, admit, admit + n);
  }
}

function freeSum(m: Mem, b: number): number {
  const slotStart = region(m, b, H.REQ_SLOT_START);
  let sum = 0;
  for (let q = 0; q < m.i32[(b >> 2) + H.NREQ]; q++) sum += freeFor(m, b, m.i32[slotStart + q], Infinity);
  return sum;
}

function freeFor(m: Mem, b: number, slot: number, limit: number): number {
  const nDev = m.i32[(b >> 2) + H.NDEV];
  const status = b + m.i32[(b >> 2) + H.SLOT_STATUS] + slot * nDev;
  const admin = m.i32[region(m, b, H.SLOT_ADMIN) + slot] !== 0;
  const devFlags = region(m, b, H.DEV_FLAGS);
  const holds = m.i32[(b >> 2) + H.ACCOUNTING] === ACCOUNTING.exact ? DEV.SHARED_BEFORE : DEV.AGGREGATED_BEFORE;
  let free = 0;
  for (let d = 0; d < nDev && free < limit; d++) {
    const st = m.u8[status + d];
    if (st & ST.ERROR) {
      free++;
      continue;
    }
    if (!(st & ST.SELECTABLE) || !(st & ST.STATIC_OK)) continue;
    const f = m.i32[devFlags + d];
    if (!admin && f & DEV.ALLOCATED) continue;
    if (!(f & DEV.MULTI)) {
      if (countersFit(m, b, d)) free++;
      continue;
    }
    if ((f & holds || countersFit(m, b, d)) && capacityLeftFits(m, b, slot, d, nDev)) free++;
  }
  return free;
}

function capacityLeftFits(m: Mem, b: number, slot: number, d: number, nDev: number): boolean {
  const start = region(m, b, H.SLOT_CAPUSE_START);
  const idx = region(m, b, H.CAPUSE_IDX);
  const amt = (b + m.i32[(b >> 2) + H.CAPUSE_AMT]) >> 3;
  const left = (b + m.i32[(b >> 2) + H.CAP_AVAIL]) >> 3;
  const k = slot * nDev + d;
  for (let q = m.i32[start + k], e = m.i32[start + k + 1]; q < e; q++) if (m.i64[amt + q] > m.i64[left + m.i32[idx + q]]) return false;
  return true;
}

function countersFit(m: Mem, b: number, d: number): boolean {
  const start = region(m, b, H.DEV_CNT_START);
  const first = m.i32[start + d];
  const end = m.i32[start + d + 1];
  if (first === end) return true;
  const idx = region(m, b, H.CNT_IDX);
  const amt = (b + m.i32[(b >> 2) + H.CNT_AMT]) >> 3;
  const avail = (b + m.i32[(b >> 2) + H.COUNTER_AVAIL]) >> 3;
  for (let u = first; u < end; u++) if (m.i64[amt + u] > m.i64[avail + m.i32[idx + u]]) return false;
  for (let u = first; u < end; u++) m.i64[avail + m.i32[idx + u]] -= m.i64[amt + u];
  let fits = true;
  for (let c = m.i32[region(m, b, H.DEV_POOL_CNT_START) + d], e = m.i32[region(m, b, H.DEV_POOL_CNT_END) + d]; c < e; c++) if (m.i64[avail + c] < 0n) fits = false;
  for (let u = first; u < end; u++) m.i64[avail + m.i32[idx + u]] += m.i64[amt + u];
  return fits;
}

function reposition(m: Mem, shape: number, x: number, n: number): void {
  const keys = m.i32[shape + SH.KEYS] >> 3;
  const order = m.i32[shape + SH.ORDER] >> 2;
  const pos = m.i32[shape + SH.POS] >> 2;
  const k = m.f64[keys + x];
  let p = m.i32[pos + x];
  while (p > 0) {
    const y = m.i32[order + p - 1];
    if (m.f64[keys + y] < k || (m.f64[keys + y] === k && y < x)) break;
    m.i32[order + p] = y;
    m.i32[pos + y] = p--;
  }
  while (p < n - 1) {
    const y = m.i32[order + p + 1];
    if (m.f64[keys + y] > k || (m.f64[keys + y] === k && y > x)) break;
    m.i32[order + p] = y;
    m.i32[pos + y] = p++;
  }
  m.i32[order + p] = x;
  m.i32[pos + x] = p;
}
