/**
 * What the `device` CEL value (device-value.ts) is made of, without building it and without the
 * CEL runtime: which field of an attribute gives its value, where a qualified name is filed, and
 * which devices can be converted at all. The selector fast paths and diagnostics use it; on an
 * unconvertible device every selector fails (device-value.ts raises the error).
 */
import type { Device, DeviceAttribute } from '../model/types.js';
import { Quantity } from '../model/quantity.js';
import { parseSemver, SemverError } from './semver.js';

/** The attribute fields in upstream `getAttributeValue`'s order; the list ones count only with list-type attributes. */
const SCALAR_FIELDS = ['int', 'bool', 'string', 'version'] as const;
const LIST_FIELDS = ['ints', 'bools', 'strings', 'versions'] as const;
export type AttributeField = (typeof SCALAR_FIELDS)[number] | (typeof LIST_FIELDS)[number];

/** The field an attribute's CEL value comes from: the first one set; undefined when none counts (unsupported value). */
export function attributeField(a: DeviceAttribute, lists: boolean): AttributeField | undefined {
  for (const f of SCALAR_FIELDS) if (a[f] !== undefined) return f;
  if (lists) for (const f of LIST_FIELDS) if (a[f] !== undefined) return f;
  return undefined;
}

/** An int attribute value CEL can hold (int64 arrives as a bigint, or as a safe JS number). */
export function isCelInt(v: number | bigint): boolean {
  return typeof v === 'bigint' || Number.isSafeInteger(v);
}

/** Validity of version texts (bounded cache: many devices share a few versions). */
const VERSION_CACHE_LIMIT = 10_000;
const versionOk = new Map<string, boolean>();

function isVersion(s: string): boolean {
  let ok = versionOk.get(s);
  if (ok === undefined) {
    try {
      parseSemver(s);
      ok = true;
    } catch (e) {
      if (!(e instanceof SemverError)) throw e;
      ok = false;
    }
    if (versionOk.size >= VERSION_CACHE_LIMIT) versionOk.clear();
    versionOk.set(s, ok);
  }
  return ok;
}

function attributeConvertible(a: DeviceAttribute, lists: boolean): boolean {
  switch (attributeField(a, lists)) {
    case undefined:
      return false;
    case 'int':
      return isCelInt(a.int!);
    case 'ints':
      return a.ints!.every(isCelInt);
    case 'version':
      return isVersion(a.version!);
    case 'versions':
      return a.versions!.every(isVersion);
    default:
      return true;
  }
}

/**
 * Whether `deviceValue` (device-value.ts) succeeds for `device` with any driver: every attribute
 * has a supported value and every capacity a valid quantity.
 */
export function convertible(device: Device, opts: { listTypeAttributes: boolean }): boolean {
  for (const a of Object.values(device.attributes ?? {})) if (!attributeConvertible(a, opts.listTypeAttributes)) return false;
  for (const c of Object.values(device.capacity ?? {})) if (Quantity.tryParse(c.value) === undefined) return false;
  return true;
}

/** Upstream `parseQualifiedName`: `[domain, id]` of a QualifiedName, the driver being the default domain. */
export function splitQualifiedName(name: string, driver: string): [string, string] {
  const slash = name.indexOf('/');
  return slash === -1 ? [driver, name] : [name.slice(0, slash), name.slice(slash + 1)];
}
