/**
 * Test sizes: long randomised runs (property, fuzz, differential) are scaled down by default so
 * that the whole suite stays within a few minutes on 2 cores; `DRALLOC_FULL=1` (CI, before a
 * release) runs them at full size. Seeds stay the same, so a small run is a prefix of the full one.
 */
export const FULL = process.env.DRALLOC_FULL === '1';

/** `full` runs with DRALLOC_FULL=1, else `small`. */
export function runs(full: number, small: number): number {
  return FULL ? full : small;
}
