/**
 * Reading raw (undecoded) objects defensively for API-server validation: every getter checks
 * the JSON type and reports a field error instead of throwing, so any input — wrong types,
 * nulls, huge numbers — yields findings, never an exception.
 */

import { Quantity, QuantityError } from '../model/quantity.js';
import { fieldError } from './types.js';
import { quantitySuggestion } from './quantity-hint.js';

export type Obj = Record<string, unknown>;

export interface FieldIssue {
  rule: string;
  path: string;
  message: string;
}

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `path.key`, or `path["key"]` when the key is not identifier-like (as decode.ts prints paths). */
export function at(path: string, key: string): string {
  if (!/^[A-Za-z_][\w-]*$/.test(key)) return `${path}[${JSON.stringify(key)}]`;
  return path === '' ? key : `${path}.${key}`;
}

export class Issues {
  readonly found: FieldIssue[] = [];

  add(rule: string, path: string, message: string): void {
    this.found.push({ rule, path, message });
  }
  required(path: string, detail?: string): void {
    this.add('required', path, fieldError.required(detail));
  }
  invalid(rule: string, path: string, value: unknown, detail: string): void {
    this.add(rule, path, fieldError.invalid(value, detail));
  }
  /** Each of `errors` (a name checker's output) as an Invalid value error. */
  name(path: string, value: string, errors: string[]): void {
    for (const e of errors) this.invalid('invalid-name', path, value, e);
  }

  /** `o[key]`, or undefined when absent (null counts as absent; reported when `required`). */
  private present(o: Obj, key: string, path: string, required: boolean): unknown {
    const v = o[key];
    if (v === undefined || v === null) {
      if (required) this.required(at(path, key));
      return undefined;
    }
    return v;
  }

  /** A present value of the wrong JSON type, reported; undefined when absent or wrong. */
  private typed<T>(o: Obj, key: string, path: string, ok: (v: unknown) => v is T, want: string, required: boolean): T | undefined {
    const v = this.present(o, key, path, required);
    if (v === undefined) return undefined;
    if (!ok(v)) {
      this.invalid('wrong-type', at(path, key), v, `must be ${want}`);
      return undefined;
    }
    return v;
  }

  str(o: Obj, key: string, path: string, required = false): string | undefined {
    const v = this.typed(o, key, path, (x): x is string => typeof x === 'string', 'a string', required);
    if (v === '' && required) {
      this.required(at(path, key));
      return undefined;
    }
    return v;
  }
  bool(o: Obj, key: string, path: string): boolean | undefined {
    return this.typed(o, key, path, (x): x is boolean => typeof x === 'boolean', 'a boolean', false);
  }
  int(o: Obj, key: string, path: string, required = false): number | bigint | undefined {
    const isInt = (x: unknown): x is number | bigint => typeof x === 'bigint' || (typeof x === 'number' && Number.isInteger(x));
    return this.typed(o, key, path, isInt, 'an integer', required);
  }
  obj(o: Obj, key: string, path: string, required = false): Obj | undefined {
    return this.typed(o, key, path, isObj, 'an object', required);
  }
  /** A list (absent = empty), with at most `max` items. */
  list(o: Obj, key: string, path: string, max?: number, required = false): unknown[] {
    const v = this.typed(o, key, path, (x): x is unknown[] => Array.isArray(x), 'a list', required);
    if (!v) return [];
    if (required && v.length === 0) this.required(at(path, key));
    if (max !== undefined && v.length > max) this.add('too-many', at(path, key), fieldError.tooMany(v.length, max));
    return v;
  }
  /** The object items of a list, with their paths; non-objects are reported. */
  objects(o: Obj, key: string, path: string, max?: number, required = false): [Obj, string][] {
    const p = at(path, key);
    return this.list(o, key, path, max, required).flatMap((item, i): [Obj, string][] => {
      if (isObj(item)) return [[item, `${p}[${i}]`]];
      this.invalid('wrong-type', `${p}[${i}]`, item, 'must be an object');
      return [];
    });
  }
  /** A map's entries (absent = none), with at most `max` entries. */
  entries(o: Obj, key: string, path: string, max?: number): [string, unknown, string][] {
    const m = this.obj(o, key, path);
    if (!m) return [];
    const e = Object.entries(m);
    if (max !== undefined && e.length > max) this.add('too-many', at(path, key), fieldError.tooMany(e.length, max));
    return e.map(([k, v]) => [k, v, at(at(path, key), k)]);
  }
  /** A resource.Quantity (string or number) that parses; returns it when valid. */
  quantity(o: Obj, key: string, path: string, required = false): Quantity | undefined {
    const v = this.present(o, key, path, required);
    return v === undefined ? undefined : this.quantityValue(v, at(path, key));
  }
  /** A present value at `p` that must be a quantity. */
  quantityValue(v: unknown, p: string): Quantity | undefined {
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'bigint') {
      this.invalid('wrong-type', p, v, 'must be a quantity (a string or a number)');
      return undefined;
    }
    try {
      return Quantity.parse(String(v));
    } catch (e) {
      if (!(e instanceof QuantityError)) throw e;
      const meant = quantitySuggestion(String(v));
      this.invalid('invalid-quantity', p, String(v), meant === undefined ? e.message : `${e.message}; did you mean ${JSON.stringify(meant)}?`);
      return undefined;
    }
  }
  /** Reports duplicate values among `values` (first occurrence wins). */
  unique(values: [string | undefined, string][]): void {
    const seen = new Set<string>();
    for (const [v, path] of values) {
      if (v === undefined) continue;
      if (seen.has(v)) this.add('duplicate', path, fieldError.duplicate(v));
      seen.add(v);
    }
  }
}
