/**
 * A value decoded from JSON (or built like one) compiled for comparing many other values with
 * it: `sameJson(t, v)` says whether `v` has the same JSON text as the value `t` was made from,
 * without writing either text — same keys in the same order, equal primitives, arrays element by
 * element. Exact in one direction only, which is the one its callers rely on: `true` means the
 * texts are equal; `false` may be said of values whose texts are equal (an undefined property on
 * one side, NaN, a non-plain object), so a caller falls back to the text then.
 *
 * The template holds each object's keys once; a comparison walks `v` with `for … in` (V8's
 * cached key list, nothing allocated), so comparing a device with a known one costs no garbage.
 */
export type JsonTemplate =
  | { readonly kind: 'value'; readonly value: unknown }
  | { readonly kind: 'array'; readonly items: readonly JsonTemplate[] }
  | { readonly kind: 'object'; readonly keys: readonly string[]; readonly values: readonly JsonTemplate[] };

/** The template of `value`. */
export function jsonTemplate(value: unknown): JsonTemplate {
  if (typeof value !== 'object' || value === null) return { kind: 'value', value };
  if (Array.isArray(value)) return { kind: 'array', items: value.map(jsonTemplate) };
  const keys = Object.keys(value);
  return { kind: 'object', keys, values: keys.map((k) => jsonTemplate((value as Record<string, unknown>)[k])) };
}

/** Whether `v`'s JSON text is that of the template's value (see the file comment). */
export function sameJson(t: JsonTemplate, v: unknown): boolean {
  return sameBut(t, v, undefined);
}

/** sameJson with the top-level object's property `skip` (on both) left out of the comparison; its key position still counts. */
export function sameJsonBut(t: JsonTemplate, v: unknown, skip: string): boolean {
  return sameBut(t, v, skip);
}

function sameBut(t: JsonTemplate, v: unknown, skip: string | undefined): boolean {
  switch (t.kind) {
    case 'value':
      return t.value === v && (typeof v !== 'number' || Number.isFinite(v));
    case 'array': {
      if (!Array.isArray(v) || v.length !== t.items.length) return false;
      for (let i = 0; i < v.length; i++) if (!sameBut(t.items[i], v[i], undefined)) return false;
      return true;
    }
    case 'object': {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
      const proto = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null) return false; // for … in would list inherited keys
      const keys = t.keys;
      let j = 0;
      for (const k in v) {
        if (j === keys.length || k !== keys[j]) return false;
        if (k !== skip && !sameBut(t.values[j], (v as Record<string, unknown>)[k], undefined)) return false;
        j++;
      }
      return j === keys.length;
    }
  }
}
