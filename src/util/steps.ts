/**
 * Long operations as step generators (`Generator<void, Result>`: one `yield` per unit of work —
 * a Pod, a node, a file — and the result as the return value), run either at once (`drain`, the
 * CLI's synchronous path) or cooperatively (`drainSliced`, the async API): once a slice has run
 * for `sliceMs` it yields to the event loop (one `setImmediate`, so timers and I/O callbacks
 * run) and then checks the AbortSignal. The event loop is thus blocked at most one slice plus
 * one unit of work.
 */

export interface AsyncOptions {
  /** Stops the operation at the next slice boundary; the promise rejects with `signal.reason` (an AbortError by default). */
  signal?: AbortSignal;
  /** How long the work may run before it yields to the event loop (default 20 ms). */
  sliceMs?: number;
}

export const DEFAULT_SLICE_MS = 20;

export class TimeSlicer {
  /** How many times the work yielded (tests count these instead of timing the machine). */
  yields = 0;
  private sliceStart = performance.now();
  private readonly sliceMs: number;

  constructor(private readonly opts: AsyncOptions = {}) {
    this.sliceMs = opts.sliceMs ?? DEFAULT_SLICE_MS;
    opts.signal?.throwIfAborted();
  }

  /** Throws the signal's reason once aborted; yields to the event loop when the slice is used up. */
  async tick(): Promise<void> {
    this.opts.signal?.throwIfAborted();
    if (performance.now() - this.sliceStart < this.sliceMs) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.yields++;
    this.opts.signal?.throwIfAborted();
    this.sliceStart = performance.now();
  }
}

/** Runs the steps to the end without yielding. */
export function drain<R>(steps: Generator<void, R>): R {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** Runs the steps, yielding to the event loop between slices; rejects with the signal's reason once aborted. */
export async function drainSliced<R>(steps: Generator<void, R>, slicer: TimeSlicer): Promise<R> {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await slicer.tick();
  }
}
