/**
 * The solver's memory, from the host side. A compiled problem (SolverInput) is written into the WASM
 * memory as one block (layout: assembly/layout.ts). Blocks of reusable problems stay in
 * memory (an arena from the heap base up), so solving such a problem again only rewrites its
 * dynamic regions (device flags, counters and capacity left) — no copies of the rest, no
 * allocation. Typed-array views are made after any memory growth, never kept across it.
 */

import type { SolverInput } from './input.js';
import type { SolverExports } from './instance.js';
import { ACCOUNTING, H, HEADER_WORDS, MODE, OUT, OUT_WORDS, type CounterAccounting } from './layout.js';

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

/** A problem block in WASM memory: its absolute base address. */
export interface Block {
  base: number;
}

type Region = { word: number; bytes: number; fill?: (buf: ArrayBuffer, at: number) => void };

const i32 = (a: ArrayLike<number>) => (buf: ArrayBuffer, at: number) => new Int32Array(buf, at, a.length).set(a);
const i64 = (a: BigInt64Array) => (buf: ArrayBuffer, at: number) => new BigInt64Array(buf, at, a.length).set(a);
const u8 = (a: Uint8Array) => (buf: ArrayBuffer, at: number) => new Uint8Array(buf, at, a.length).set(a);

const align8 = (n: number) => (n + 7) & ~7;

export class SolverMemory {
  /** Bytes of the arena in use by kept blocks. */
  private used = 0;
  /** Changes with every reset: addresses kept from an earlier epoch are invalid. */
  epoch = 0;

  constructor(readonly wasm: SolverExports) {}

  /** Bytes of the arena in use by kept blocks now. */
  get keptBytes(): number {
    return this.used;
  }

  /** Forgets every kept block (their problems must be dropped too). */
  reset(): void {
    this.used = 0;
    this.epoch++;
  }

  /**
   * Reserves `bytes` (zeroed, 8-aligned) in the arena until the next reset, for resident data
   * of the placement kernel; returns the absolute address. May grow the memory.
   */
  keep(bytes: number): number {
    const size = align8(bytes);
    const heap = this.wasm.ensure(this.used + size);
    if (heap === 0) throw new Error(`solver memory could not grow to ${this.used + size} bytes`);
    const at = heap + this.used;
    this.used += size;
    new Uint8Array(this.wasm.memory.buffer, at, size).fill(0);
    return at;
  }

  /** Writes the whole problem; a kept block stays valid until reset(), a scratch block until the next write. */
  write(p: SolverInput, keep: boolean): Block {
    const regions = layout(this.wasm, p);
    let size = HEADER_WORDS * 4;
    const offsets: number[] = [];
    for (const r of regions) {
      offsets.push(size);
      size += align8(r.bytes);
    }
    const heap = this.wasm.ensure(this.used + size);
    if (heap === 0) throw new Error(`solver memory could not grow to ${this.used + size} bytes`);
    const base = heap + this.used;
    if (keep) this.used += size;
    const buf = this.wasm.memory.buffer;
    const header = new Int32Array(buf, base, HEADER_WORDS);
    header.fill(0);
    header[H.NDEV] = p.view.slots.length;
    header[H.NCLAIM] = p.claims.length;
    header[H.NREQ] = p.plan.requests.length;
    header[H.NSLOT] = p.plan.slots.length;
    header[H.NCOUNTER] = p.counterAvail.length;
    header[H.NCAP] = p.capAvail.length;
    header[H.NCONS] = p.cons.claim.length;
    header[H.MAX_DEPTH] = p.maxDepth;
    header[H.MAX_PICKS] = p.maxPicks;
    regions.forEach((r, i) => {
      header[r.word] = offsets[i];
      if (r.word === H.WORK) header[H.WORK_BYTES] = r.bytes;
      r.fill?.(buf, base + offsets[i]);
    });
    return { base };
  }

  /** Rewrites what refreshDynamic changed: device flags, counters and capacity left. */
  refresh(b: Block, p: SolverInput): void {
    const buf = this.wasm.memory.buffer;
    const header = new Int32Array(buf, b.base, HEADER_WORDS);
    new Int32Array(buf, b.base + header[H.DEV_FLAGS], p.devFlags.length).set(p.devFlags);
    if (p.counterAvail.length) new BigInt64Array(buf, b.base + header[H.COUNTER_AVAIL], p.counterAvail.length).set(p.counterAvail);
    if (p.capAvail.length) new BigInt64Array(buf, b.base + header[H.CAP_AVAIL], p.capAvail.length).set(p.capAvail);
  }

  /** Starts a search on the block with the given counter accounting (one search at a time: this abandons a paused one). */
  start(b: Block, accounting: CounterAccounting = 'upstream'): void {
    new Int32Array(this.wasm.memory.buffer, b.base, HEADER_WORDS)[H.ACCOUNTING] = ACCOUNTING[accounting];
    this.wasm.start(b.base);
  }

  /** Goes on with the started search for at most `slice` steps: RESULT.PAUSED or the final status, and the steps taken. */
  run(b: Block, slice: number): { status: number; steps: number } {
    const status = this.wasm.run(slice);
    return { status, steps: this.outWords(b)[OUT.STEPS] >>> 0 };
  }

  /** The answer of a finished search; `steps` counts all of its slices. */
  answer(b: Block, p: SolverInput, status: number, steps: number): SolveAnswer {
    const buf = this.wasm.memory.buffer;
    const header = new Int32Array(buf, b.base, HEADER_WORDS);
    const out = this.outWords(b);
    const n = out[OUT.NPICKS];
    const raw = new Int32Array(buf, b.base + header[H.OUT_PICKS], 2 * n);
    const picks: [number, number][] = [];
    for (let i = 0; i < n; i++) picks.push([raw[2 * i], raw[2 * i + 1]]);
    return {
      status,
      steps,
      picks,
      selectedSub: new Int32Array(buf, b.base + header[H.OUT_SELSUB], p.plan.requests.length).slice(),
      errSlot: out[OUT.ERR_SLOT],
      errDev: out[OUT.ERR_DEV],
      errCons: out[OUT.ERR_CONS],
    };
  }

  private outWords(b: Block): Int32Array {
    const buf = this.wasm.memory.buffer;
    const header = new Int32Array(buf, b.base, HEADER_WORDS);
    return new Int32Array(buf, b.base + header[H.OUT], OUT_WORDS);
  }
}

function layout(wasm: SolverExports, p: SolverInput): Region[] {
  const D = p.view.slots.length;
  const C = p.claims.length;
  const R = p.plan.requests.length;
  const S = p.plan.slots.length;
  const K = p.cons.claim.length;
  return [
    { word: H.DEV_FLAGS, bytes: 4 * D, fill: i32(p.devFlags) },
    { word: H.DEV_CNT_START, bytes: 4 * (D + 1), fill: i32(p.devCntStart) },
    { word: H.CNT_IDX, bytes: 4 * p.cntIdx.length, fill: i32(p.cntIdx) },
    { word: H.CNT_AMT, bytes: 8 * p.cntAmt.length, fill: i64(p.cntAmt) },
    { word: H.COUNTER_AVAIL, bytes: 8 * p.counterAvail.length, fill: i64(p.counterAvail) },
    { word: H.CAP_AVAIL, bytes: 8 * p.capAvail.length, fill: i64(p.capAvail) },
    { word: H.CLAIM_REQ_START, bytes: 4 * (C + 1), fill: i32(p.claimReqStart) },
    { word: H.REQ_SLOT_START, bytes: 4 * (R + 1), fill: i32(p.reqSlotStart) },
    { word: H.REQ_HAS_SUBS, bytes: 4 * R, fill: i32(p.plan.requests.map((r) => (r.hasSubs ? 1 : 0))) },
    { word: H.SLOT_MODE, bytes: 4 * S, fill: i32(p.plan.slots.map((s) => (s.mode === 'All' ? MODE.ALL : MODE.EXACT))) },
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
}
