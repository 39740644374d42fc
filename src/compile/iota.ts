/**
 * Runs of consecutive slots as views of one shared array of 0, 1, 2, …: a slice or a node whose
 * devices got consecutive inventory slots (the common case: slots are handed out in order)
 * holds a view of this array instead of its own copy. An `Int32Array` of a few elements costs
 * ~230 bytes (its buffer and backing store); a view ~100. Views are read only, like all slot
 * lists handed out; a view keeps the buffer it was cut from when the array grows.
 */

let numbers = new Int32Array(0);

/** `start, start + 1, …, start + n - 1`. */
export function iota(start: number, n: number): Int32Array {
  if (start + n > numbers.length) {
    numbers = new Int32Array(Math.max(1024, 2 * (start + n)));
    for (let i = 0; i < numbers.length; i++) numbers[i] = i;
  }
  return numbers.subarray(start, start + n);
}

/** `slots` itself, or the same numbers as an iota view when they are consecutive. */
export function compactSlots(slots: Int32Array): Int32Array {
  const n = slots.length;
  if (n === 0 || slots[n - 1] - slots[0] !== n - 1) return slots;
  for (let k = 1; k < n; k++) if (slots[k] !== slots[0] + k) return slots;
  return iota(slots[0], n);
}
