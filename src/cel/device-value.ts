/**
 * The CEL value bound to the `device` variable, built lazily once per (Device object, driver,
 * options) and cached in a WeakMap, so that many selectors evaluated against the same device
 * share it. Conversion follows upstream `DeviceMatches`: *every* attribute is converted, so
 * one unsupported attribute makes every selector on that device fail, referenced or not.
 */
import { celList, celMap, type CelMap, type CelValue } from '@bufbuild/cel';
import type { Device, DeviceAttribute } from '../model/types.js';
import { Quantity } from '../model/quantity.js';
import { CelRuntimeError } from './errors.js';
import { quantityValue, semverValue } from './kube-types.js';
import { parseSemver } from './semver.js';
import { domainMap } from './domain-map.js';

export interface DeviceValueOptions {
  consumableCapacity: boolean;
  listTypeAttributes: boolean;
}

/** Either the converted device or the conversion error, which is cached as well. */
type Converted = { value: CelMap } | { error: CelRuntimeError };

const cache = new WeakMap<Device, Map<string, Converted>>();

/**
 * The `device` CEL value for `device` published by `driver`; throws CelRuntimeError (e.g.
 * "attribute foo: unsupported attribute value") when an attribute or capacity cannot be converted.
 */
export function deviceValue(device: Device, driver: string, opts: DeviceValueOptions): CelMap {
  let perDevice = cache.get(device);
  if (perDevice === undefined) {
    perDevice = new Map();
    cache.set(device, perDevice);
  }
  const key = `${opts.consumableCapacity ? 1 : 0}${opts.listTypeAttributes ? 1 : 0}${driver}`;
  let converted = perDevice.get(key);
  if (converted === undefined) {
    try {
      converted = { value: convert(device, driver, opts) };
    } catch (e) {
      if (!(e instanceof CelRuntimeError)) throw e;
      converted = { error: e };
    }
    perDevice.set(key, converted);
  }
  if ('error' in converted) throw converted.error;
  return converted.value;
}

/**
 * Whether `deviceValue` succeeds for `device` (with any driver): the same conversions, without
 * building the CEL maps. The fast path uses it to leave unconvertible devices to the evaluator.
 */
export function convertible(device: Device, opts: DeviceValueOptions): boolean {
  try {
    for (const [name, attr] of Object.entries(device.attributes ?? {})) attributeValue(name, attr, opts.listTypeAttributes);
    for (const [name, cap] of Object.entries(device.capacity ?? {})) capacityQuantity(name, cap.value);
    return true;
  } catch (e) {
    if (e instanceof CelRuntimeError) return false;
    throw e;
  }
}

function capacityQuantity(name: string, value: string): Quantity {
  const q = Quantity.tryParse(value);
  if (q === undefined) throw new CelRuntimeError(`capacity ${name}: invalid quantity ${JSON.stringify(value)}`);
  return q;
}

function convert(device: Device, driver: string, opts: DeviceValueOptions): CelMap {
  const attributes = new Map<string, Map<string, CelValue>>();
  for (const [name, attr] of Object.entries(device.attributes ?? {})) {
    put(attributes, name, driver, attributeValue(name, attr, opts.listTypeAttributes));
  }
  const capacity = new Map<string, Map<string, CelValue>>();
  for (const [name, cap] of Object.entries(device.capacity ?? {})) {
    put(capacity, name, driver, quantityValue(capacityQuantity(name, cap.value)));
  }
  const fields = new Map<string, CelValue>([
    ['driver', driver],
    ['attributes', domainMap(attributes)],
    ['capacity', domainMap(capacity)],
  ]);
  if (opts.consumableCapacity) fields.set('allowMultipleAllocations', device.allowMultipleAllocations === true);
  return celMap(fields);
}

/** Upstream `parseQualifiedName`: `[domain, id]` of a QualifiedName, the driver being the default domain. */
export function splitQualifiedName(name: string, driver: string): [string, string] {
  const slash = name.indexOf('/');
  return slash === -1 ? [driver, name] : [name.slice(0, slash), name.slice(slash + 1)];
}

/** Files `value` under the QualifiedName's domain (the driver when it has none) and id. */
function put(into: Map<string, Map<string, CelValue>>, name: string, driver: string, value: CelValue): void {
  const [domain, id] = splitQualifiedName(name, driver);
  let inner = into.get(domain);
  if (inner === undefined) {
    inner = new Map();
    into.set(domain, inner);
  }
  inner.set(id, value);
}

function toInt(name: string, v: number | bigint): bigint {
  if (typeof v === 'bigint') return v;
  if (!Number.isSafeInteger(v)) throw new CelRuntimeError(`attribute ${name}: unsupported attribute value`);
  return BigInt(v);
}

/** Parsed version values (immutable, so shared across devices) or the parse error text; bounded. */
const VERSION_CACHE_LIMIT = 10_000;
const versions = new Map<string, CelValue | string>();

function toVersion(name: string, s: string): CelValue {
  let v = versions.get(s);
  if (v === undefined) {
    try {
      v = semverValue(parseSemver(s));
    } catch (e) {
      v = (e as Error).message;
    }
    if (versions.size >= VERSION_CACHE_LIMIT) versions.clear();
    versions.set(s, v);
  }
  if (typeof v === 'string') throw new CelRuntimeError(`attribute ${name}: parse semantic version: ${v}`);
  return v;
}

/** Upstream `getAttributeValue`: the first set field, in the order int, bool, string, version. */
function attributeValue(name: string, a: DeviceAttribute, lists: boolean): CelValue {
  if (a.int !== undefined) return toInt(name, a.int);
  if (a.bool !== undefined) return a.bool;
  if (a.string !== undefined) return a.string;
  if (a.version !== undefined) return toVersion(name, a.version);
  if (lists) {
    if (a.ints !== undefined) return celList(a.ints.map((v) => toInt(name, v)));
    if (a.bools !== undefined) return celList(a.bools);
    if (a.strings !== undefined) return celList(a.strings);
    if (a.versions !== undefined) return celList(a.versions.map((v) => toVersion(name, v)));
  }
  throw new CelRuntimeError(`attribute ${name}: unsupported attribute value`);
}
