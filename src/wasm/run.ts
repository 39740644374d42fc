/**
 * Writes a compiled Problem into the solver's memory as one block (layout: assembly/layout.ts),
 * runs the search and reads the answer back. Views are created after `ensure`, which may grow
 * memory, and are not kept across calls.
 */

import type { Problem } from '../compile/problem.js';
import type { SolverExports } from './instance.js';
import { H, HEADER_WORDS, OUT, OUT_WORDS } from './layout.js';

export interface SolveAnswer {
  status: number;
  steps: number;
  /** (slot, device) per result, in allocation order. */
  picks: [number, number][];
  /** Chosen subrequest per request (-1 for requests without subrequests). */
  selectedSub: Int32Array;
  errSlot: number;
  errDev: number;
  errCons: number;
}

type Region = { word: number; bytes: number; fill?: (buf: ArrayBuffer, at: number) => void };

const i32 = (a: ArrayLike<number>) => (buf: ArrayBuffer, at: number) => new Int32Array(buf, at, a.length).set(a);
const i64 = (a: BigInt64Array) => (buf: ArrayBuffer, at: number) => new BigInt64Array(buf, at, a.length).set(a);
const u8 = (a: Uint8Array) => (buf: ArrayBuffer, at: number) => new Uint8Array(buf, at, a.length).set(a);

export function runSolver(wasm: SolverExports, p: Problem, maxSteps: number): SolveAnswer {
  const D = p.view.devices.length;
  const C = p.claims.length;
  const R = p.plan.requests.length;
  const S = p.plan.slots.length;
  const K = p.cons.claim.length;
  const regions: Region[] = [
    { word: H.DEV_FLAGS, bytes: 4 * D, fill: i32(p.devFlags) },
    { word: H.DEV_CNT_START, bytes: 4 * (D + 1), fill: i32(p.devCntStart) },
    { word: H.CNT_IDX, bytes: 4 * p.cntIdx.length, fill: i32(p.cntIdx) },
    { word: H.CNT_AMT, bytes: 8 * p.cntAmt.length, fill: i64(p.cntAmt) },
    { word: H.COUNTER_AVAIL, bytes: 8 * p.counterAvail.length, fill: i64(p.counterAvail) },
    { word: H.CAP_AVAIL, bytes: 8 * p.capAvail.length, fill: i64(p.capAvail) },
    { word: H.CLAIM_REQ_START, bytes: 4 * (C + 1), fill: i32(p.claimReqStart) },
    { word: H.REQ_SLOT_START, bytes: 4 * (R + 1), fill: i32(p.reqSlotStart) },
    { word: H.REQ_HAS_SUBS, bytes: 4 * R, fill: i32(p.plan.requests.map((r) => (r.hasSubs ? 1 : 0))) },
    { word: H.SLOT_MODE, bytes: 4 * S, fill: i32(p.plan.slots.map((s) => (s.mode === 'All' ? 1 : 0))) },
    { word: H.SLOT_NUM, bytes: 4 * S, fill: i32(p.plan.slots.map((s) => Math.min(s.numDevices, 0x7fffffff))) },
    { word: H.SLOT_ADMIN, bytes: 4 * S, fill: i32(p.plan.slots.map((s) => (s.adminAccess ? 1 : 0))) },
    { word: H.SLOT_STATUS, bytes: S * D, fill: u8(p.status) },
    { word: H.SLOT_ALL_START, bytes: 4 * (S + 1), fill: i32(p.allStart) },
    { word: H.ALL_LIST, bytes: 4 * p.allList.length, fill: i32(p.allList) },
    { word: H.SLOT_CAPUSE_START, bytes: 4 * (S * D + 1), fill: i32(p.capuseStart) },
    { word: H.CAPUSE_IDX, bytes: 4 * p.capuseIdx.length, fill: i32(p.capuseIdx) },
    { word: H.CAPUSE_AMT, bytes: 8 * p.capuseAmt.length, fill: i64(p.capuseAmt) },
    { word: H.CONS_CLAIM, bytes: 4 * K, fill: i32(p.cons.claim) },
    { word: H.CONS_KIND, bytes: 4 * K, fill: i32(p.cons.kind) },
    { word: H.CONS_VALUES, bytes: 4 * K * D, fill: i32(p.cons.values) },
    { word: H.CONS_APPLIES, bytes: K * S, fill: u8(p.cons.applies) },
    { word: H.CONS_ELEM_START, bytes: 4 * K * D, fill: i32(p.cons.elemStart) },
    { word: H.CONS_ELEMS, bytes: 4 * p.cons.elems.length, fill: i32(p.cons.elems) },
    { word: H.DEV_POOL_CNT_START, bytes: 4 * D, fill: i32(p.devPoolCnt[0]) },
    { word: H.DEV_POOL_CNT_END, bytes: 4 * D, fill: i32(p.devPoolCnt[1]) },
    { word: H.WORK, bytes: wasm.workBytes(D, C, K, p.maxDepth) },
    { word: H.OUT_SELSUB, bytes: 4 * R },
    { word: H.OUT_PICKS, bytes: 8 * p.maxPicks },
    { word: H.OUT, bytes: 4 * OUT_WORDS },
  ];
  let size = HEADER_WORDS * 4;
  const offsets: number[] = [];
  for (const r of regions) {
    offsets.push(size);
    size += (r.bytes + 7) & ~7;
  }
  const base = wasm.ensure(size);
  if (base === 0) throw new Error(`solver memory could not grow to ${size} bytes`);
  const buf = wasm.memory.buffer;
  const header = new Int32Array(buf, base, HEADER_WORDS);
  header.fill(0);
  header[H.NDEV] = D;
  header[H.NCLAIM] = C;
  header[H.NREQ] = R;
  header[H.NSLOT] = S;
  header[H.NCOUNTER] = p.counterAvail.length;
  header[H.NCAP] = p.capAvail.length;
  header[H.NCONS] = K;
  header[H.MAXSTEPS] = maxSteps;
  header[H.MAX_DEPTH] = p.maxDepth;
  header[H.MAX_PICKS] = p.maxPicks;
  regions.forEach((r, i) => {
    header[r.word] = offsets[i];
    if (r.word === H.WORK) header[H.WORK_BYTES] = r.bytes;
    r.fill?.(buf, base + offsets[i]);
  });

  const status = wasm.solve(base);
  const at = (word: number) => base + header[word];
  const out = new Int32Array(wasm.memory.buffer, at(H.OUT), OUT_WORDS);
  const n = out[OUT.NPICKS];
  const raw = new Int32Array(wasm.memory.buffer, at(H.OUT_PICKS), 2 * n);
  const picks: [number, number][] = [];
  for (let i = 0; i < n; i++) picks.push([raw[2 * i], raw[2 * i + 1]]);
  return {
    status,
    steps: out[OUT.STEPS],
    picks,
    selectedSub: new Int32Array(wasm.memory.buffer, at(H.OUT_SELSUB), R).slice(),
    errSlot: out[OUT.ERR_SLOT],
    errDev: out[OUT.ERR_DEV],
    errCons: out[OUT.ERR_CONS],
  };
}
