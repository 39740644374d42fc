/**
 * Whether two values decoded from JSON (or built like them) have the same JSON text, without
 * writing it: same keys in the same order, equal primitives, arrays element by element.
 * Exact in one direction only, which is the one its callers rely on: `true` means the texts
 * are equal; `false` may be said of values whose texts are equal (an undefined property on one
 * side, NaN), so a caller falls back to the text then.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  return sameKeysAndValues(a as Record<string, unknown>, b as Record<string, unknown>, undefined);
}

/** sameJson of two objects, with property `skip` (on both) left out of the comparison. */
export function sameJsonBut(a: object, b: object, skip: string): boolean {
  return sameKeysAndValues(a as Record<string, unknown>, b as Record<string, unknown>, skip);
}

function sameKeysAndValues(a: Record<string, unknown>, b: Record<string, unknown>, skip: string | undefined): boolean {
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) {
    const k = ka[i];
    if (k !== kb[i]) return false;
    if (k !== skip && !sameJson(a[k], b[k])) return false;
  }
  return true;
}
