/**
 * The CEL value bound to the `device` variable, built lazily once per (Device object, driver,
 * options) and cached in a WeakMap, so that many selectors evaluated against the same device
 * share it. Conversion follows upstream `DeviceMatches`: *every* attribute is converted, so
 * one unsupported attribute makes every selector on that device fail, referenced or not.
 */
import { celList, celMap, type CelMap, type CelValue } from '@bufbuild/cel';
import type { Device, DeviceAttribute } from '../../model/types.js';
import { Quantity } from '../../model/quantity.js';
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

function convert(device: Device, driver: string, opts: DeviceValueOptions): CelMap {
  const attributes = new Map<string, Map<string, CelValue>>();
  for (const [name, attr] of Object.entries(device.attributes ?? {})) {
    put(attributes, name, driver, attributeValue(name, attr, opts.listTypeAttributes));
  }
  const capacity = new Map<string, Map<string, CelValue>>();
  for (const [name, cap] of Object.entries(device.capacity ?? {})) {
    const q = Quantity.tryParse(cap.value);
    if (q === undefined) throw new CelRuntimeError(`capacity ${name}: invalid quantity ${JSON.stringify(cap.value)}`);
    put(capacity, name, driver, quantityValue(q));
  }
  const fields = new Map<string, CelValue>([
    ['driver', driver],
    ['attributes', domainMap(attributes)],
    ['capacity', domainMap(capacity)],
  ]);
  if (opts.consumableCapacity) fields.set('allowMultipleAllocations', device.allowMultipleAllocations === true);
  return celMap(fields);
}

/** Files `value` under the QualifiedName's domain (the driver when it has none) and id. */
function put(into: Map<string, Map<string, CelValue>>, name: string, driver: string, value: CelValue): void {
  const slash = name.indexOf('/');
  const domain = slash === -1 ? driver : name.slice(0, slash);
  const id = slash === -1 ? name : name.slice(slash + 1);
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

function toVersion(name: string, s: string): CelValue {
  try {
    return semverValue(parseSemver(s));
  } catch (e) {
    throw new CelRuntimeError(`attribute ${name}: parse semantic version: ${(e as Error).message}`);
  }
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
