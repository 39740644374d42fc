/**
 * Counts event-loop turns (check phase) until stopped: a setImmediate chain that advances once
 * per turn. Non-blocking tests run an operation with `sliceMs: 0` beside it and expect at least
 * one turn per unit of work; an operation that blocks leaves the count at 0.
 */
export function loopTurns(): { count: () => number; stop: () => void } {
  let n = 0;
  let on = true;
  const turn = () => {
    n++;
    if (on) setImmediate(turn);
  };
  setImmediate(turn);
  return { count: () => n, stop: () => void (on = false) };
}
